using Drover.Core.Adapters;
using Drover.Core.Ports;
using Drover.Engine.Leadership;
using Drover.Engine.Loop;
using Drover.Server.Auth;

namespace Drover.Server.Hosting;

/// <summary>What the endpoints share: the loop, the store, how callers are authenticated (static tokens, then SSO), the clock, the options, the one way to reload, the election, the delivery writer, component health and the instance bootstrap tokens.</summary>
internal sealed record ServerState(ControlLoop Loop, IStateStore Store, ApiAuthenticator Auth, TimeProvider Time, ServerOptions Options, ConfigReloader Reloader, LeaderElection Election, DeliveryWriter Deliveries, HealthMonitor Health, InstanceBootstrap Bootstrap);
