using Drover.Engine.Demo;
using Drover.Engine.Loop;
using Microsoft.Extensions.Hosting;

namespace Drover.Server.Hosting;

/// <summary>Runs the control loop (after its start-up reconciliation) and the simulated world, if any, with the host.</summary>
internal sealed class ControlPlaneService(ControlLoop loop, DemoWorld? world) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await loop.StartAsync(stoppingToken).ConfigureAwait(false);
        var running = new List<Task> { loop.RunAsync(stoppingToken) };
        if (world is not null)
        {
            running.Add(world.RunAsync(loop.Ingest, stoppingToken));
        }

        await Task.WhenAll(running).ConfigureAwait(false);
    }
}
