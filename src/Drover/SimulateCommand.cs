using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Drover.Core.Config;
using Drover.Core.Traces;
using Drover.Simulation.Comparison;
using Drover.Simulation.Engine;
using Drover.Simulation.Reports;

namespace Drover.Cli;

/// <summary><c>drover simulate</c>: replays a trace through the real planner under each policy and compares them.</summary>
internal static class SimulateCommand
{
    public static Command Create()
    {
        var trace = new Option<FileInfo>("--trace", "-t") { Description = "Trace to replay: job CSV, rate series, conda-forge series or treeherder export (see docs/traces.md)", Required = true };
        var policies = new Option<string[]>("--policies", "-p") { Description = "Policies to compare: 'all' or names such as predictive, reactive, garm-minidle-5 (comma-separated)", DefaultValueFactory = _ => ["all"], AllowMultipleArgumentsPerToken = true };
        var boot = new Option<string[]>("--boot")
        {
            Description = "Runner boot time (provider + registration), e.g. 60s or 3m; with --config also NAME=90s for one pool or every pool of one provider (repeatable)",
            DefaultValueFactory = _ => ["60s"],
            AllowMultipleArgumentsPerToken = true,
        };
        var config = new Option<FileInfo?>("--config", "-c") { Description = "Simulate this fleet file's pools (labels, limits, schedules, priorities, policies, prices, budgets) instead of one pool per label set" };
        var set = new Option<string[]>("--set") { Description = "With --config: change a pool's field for the simulation, e.g. pools.gpu.idle=2 (repeatable)", AllowMultipleArgumentsPerToken = true };
        var sweep = new Option<string[]>("--sweep") { Description = "With --config: simulate each value of a range, e.g. pools.linux.idle=0..8 or pools.linux.idleTimeout=1m..10m/1m (repeatable)", AllowMultipleArgumentsPerToken = true };
        var forge = new Option<string?>("--forge") { Description = "With --config: the forge the trace's jobs come from (default: the first forge with pools)" };
        var scope = new Option<string?>("--scope") { Description = "With --config: the repository or project of every job, in place of the trace's" };
        var target = new Option<string>("--target-wait") { Description = "The predictive policy's p95 wait target", DefaultValueFactory = _ => "15s" };
        var failures = new Option<double>("--creation-failure-rate") { Description = "Share of runner creations that fail (0 to 1)" };
        var spot = new Option<double>("--spot-interruptions") { Description = "Spot interruptions per spot runner-hour" };
        var bootSigma = new Option<double>("--boot-sigma") { Description = "Draw boot times from a lognormal with --boot as median and this sigma (0: fixed)" };
        var loss = new Option<double>("--delivery-loss") { Description = "Share of job events that never reach Drover (polling recovers them)" };
        var duplication = new Option<double>("--delivery-duplication") { Description = "Share of job events delivered twice" };
        var delay = new Option<string>("--delivery-delay") { Description = "Each job event reaches Drover up to this late, e.g. 5s", DefaultValueFactory = _ => "0s" };
        var json = new Option<FileInfo?>("--json") { Description = "Write every figure (and the time series) as JSON to this file" };
        var html = new Option<FileInfo?>("--html") { Description = "Write an HTML report with charts to this file" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress bar" };
        var predictive = new Option<string[]>("--predictive") { Description = "Settings of the predictive policy as key=value (e.g. waitBudget=0.03); see docs/configuration.md", AllowMultipleArgumentsPerToken = true };
        var price = new Option<decimal>("--price-per-hour") { Description = "Price of one on-demand runner-hour (GitHub's hosted 2-vCPU Linux rate by default)", DefaultValueFactory = _ => Simulation.Comparison.TraceScenario.DefaultPricePerHour };
        var spotPrice = new Option<decimal>("--spot-price-per-hour") { Description = "Price of one spot runner-hour (pools that prefer or require spot)", DefaultValueFactory = _ => Simulation.Comparison.TraceScenario.DefaultSpotPricePerHour };
        var billing = new Option<string>("--billing") { Description = "How runner time is billed: per-second, per-minute or per-hour", DefaultValueFactory = _ => "per-second" };
        var currency = new Option<string>("--currency") { Description = "Currency of the prices (ISO 4217)", DefaultValueFactory = _ => "USD" };
        var load = new TraceLoadArguments();
        var command = new Command("simulate", "Replay a trace through Drover's planner under each policy; compare queue wait, runner-minutes and cost.")
        {
            trace, policies, boot, bootSigma, target, failures, spot, loss, duplication, delay, json, html, quiet, predictive, price, spotPrice, billing, currency,
            config, set, sweep, forge, scope,
        };
        load.AddTo(command);
        command.SetAction(parse =>
        {
            var error = parse.InvocationConfiguration.Error;
            var output = parse.InvocationConfiguration.Output;
            var fleetFile = parse.GetValue(config);
            if (!Boots(parse.GetValue(boot) ?? [], fleetFile is not null, error, out var bootTime, out var bootByName) || !Duration(parse.GetValue(target)!, "--target-wait", error, out var targetWait))
            {
                return 1;
            }

            if (fleetFile is null && new Option[] { set, sweep, forge, scope }.FirstOrDefault(o => parse.GetResult(o) is not null) is { } needsConfig)
            {
                error.WriteLine($"{needsConfig.Name}: needs --config (a fleet file whose pools it names)");
                return 1;
            }

            if (fleetFile is not null && new Option[] { policies, predictive, price, spotPrice, billing, currency }.FirstOrDefault(o => parse.GetResult(o) is { Implicit: false }) is { } fromFleet)
            {
                error.WriteLine($"{fromFleet.Name}: with --config, each pool's policy, settings and prices come from the fleet file; change them with --set pools.NAME.policy=... or in the file");
                return 1;
            }

            var delayText = parse.GetValue(delay)!;
            if (!DurationParser.TryParse(delayText, out var deliveryDelay))
            {
                error.WriteLine($"--delivery-delay: '{delayText}' is not a duration such as 0s, 5s or 1m");
                return 1;
            }

            var file = parse.GetValue(trace)!;
            if (TraceCommand.Load(parse, file, load) is not { } loaded)
            {
                return 2;
            }

            var options = new SimulationOptions
            {
                Seed = load.Seed(parse),
                Start = loaded.Start ?? DateTimeOffset.UnixEpoch,
                Boot = parse.GetValue(bootSigma) is > 0 and var sigma
                    ? BootTimeDistribution.LogNormal(bootTime.TotalSeconds, sigma)
                    : BootTimeDistribution.Fixed(bootTime.TotalSeconds),
                CreationFailureRate = parse.GetValue(failures),
                SpotInterruptionsPerRunnerHour = parse.GetValue(spot),
                DeliveryLossProbability = parse.GetValue(loss),
                DeliveryDuplicationProbability = parse.GetValue(duplication),
                MaxDeliveryDelay = deliveryDelay,
            };
            var problems = options.Validate();
            if (problems.Count > 0)
            {
                foreach (var problem in problems)
                {
                    error.WriteLine(problem);
                }

                return 1;
            }

            if (fleetFile is not null)
            {
                var request = new SimulateFleet.Request(
                    fleetFile, loaded, options, bootTime, bootByName, parse.GetValue(bootSigma), parse.GetValue(set) ?? [], parse.GetValue(sweep) ?? [],
                    parse.GetValue(forge), parse.GetValue(scope), targetWait, parse.GetValue(json), parse.GetValue(html), parse.GetValue(quiet));
                return SimulateFleet.Run(request, output, error);
            }

            var settings = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in parse.GetValue(predictive) ?? [])
            {
                var parts = pair.Split('=', 2, StringSplitOptions.TrimEntries);
                if (parts.Length != 2 || parts[0].Length == 0)
                {
                    error.WriteLine($"--predictive: '{pair}' is not key=value");
                    return 1;
                }

                settings[parts[0]] = parts[1];
            }

            var invalid = new Core.Policies.PredictivePolicy().ValidateSettings(settings);
            if (invalid.Count > 0)
            {
                foreach (var problem in invalid)
                {
                    error.WriteLine($"--predictive {problem.Key}: {problem.Message}");
                }

                return 1;
            }

            if (Price(parse.GetValue(price), parse.GetValue(spotPrice), parse.GetValue(billing)!, parse.GetValue(currency)!, error) is not { } priceConfig)
            {
                return 1;
            }

            var scenario = TraceScenario.From(loaded, price: priceConfig);
            IReadOnlyList<Simulation.Baselines.BaselineEntry> entries;
            try
            {
                var names = (parse.GetValue(policies) ?? []).SelectMany(p => p.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
                entries = PolicyComparison.Select(names, scenario, options, targetWait, settings);
            }
            catch (ArgumentException e)
            {
                error.WriteLine($"--policies: {e.Message.Split(" (Parameter", 2)[0]}");
                return 1;
            }

            var title = string.Create(CultureInfo.InvariantCulture, $"{loaded.Name}: {loaded.Count:N0} jobs over {loaded.Span.TotalDays:0.#} days, boot {DurationParser.Format(bootTime)}, seed {options.Seed}");
            using var bar = parse.GetValue(quiet) || !ReferenceEquals(error, Console.Error) || Console.IsErrorRedirected ? null : new ProgressBar(error, entries.Count);
            var report = PolicyComparison.Run(title, loaded.Notes, scenario, entries, options, bar is null ? null : bar.Report);
            bar?.Dispose();
            output.Write(ConsoleReport.Render(report));
            return Write(parse.GetValue(json), f => JsonSerializer.Serialize(report, JsonOptions), output, error)
                + Write(parse.GetValue(html), _ => HtmlReport.Render(report), output, error) > 0 ? 1 : 0;
        });
        return command;
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private static int Write(FileInfo? file, Func<FileInfo, string> render, TextWriter output, TextWriter error)
    {
        if (file is null)
        {
            return 0;
        }

        try
        {
            File.WriteAllText(file.FullName, render(file));
            output.WriteLine($"wrote {file}");
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"{file}: {e.Message}");
            return 1;
        }
    }

    /// <summary>
    /// Reads <c>--boot</c>: one plain duration (the default for every runner) and, with a fleet file, <c>NAME=duration</c>
    /// entries for a pool or a provider; false after printing the problem.
    /// </summary>
    private static bool Boots(IReadOnlyList<string> values, bool withFleet, TextWriter error, out TimeSpan boot, out List<(string Name, TimeSpan Boot)> byName)
    {
        boot = TimeSpan.FromSeconds(60);
        byName = [];
        var plain = 0;
        foreach (var value in values)
        {
            var parts = value.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length == 1)
            {
                if (!Duration(value, "--boot", error, out boot))
                {
                    return false;
                }

                plain++;
                continue;
            }

            if (!withFleet || parts[0].Length == 0)
            {
                error.WriteLine($"--boot: '{value}': a boot time per pool or provider (NAME=90s) needs --config");
                return false;
            }

            if (!Duration(parts[1], $"--boot {parts[0]}", error, out var time))
            {
                return false;
            }

            byName.Add((parts[0], time));
        }

        if (plain > 1)
        {
            error.WriteLine("--boot: give one default boot time (and NAME=time for single pools or providers)");
            return false;
        }

        return true;
    }

    private static bool Duration(string text, string option, TextWriter error, out TimeSpan value)
    {
        if (DurationParser.TryParse(text, out value) && value > TimeSpan.Zero)
        {
            return true;
        }

        error.WriteLine($"{option}: '{text}' is not a duration such as 45s, 2m or 1h30m");
        return false;
    }

    /// <summary>The simulated provider's price from the command line, as a fleet file's <c>price:</c> would set it; null after an error.</summary>
    private static Core.Cost.PriceConfig? Price(decimal perHour, decimal spotPerHour, string billing, string currency, TextWriter error)
    {
        var billings = new Dictionary<string, Core.Cost.BillingGranularity>(StringComparer.Ordinal)
        {
            ["per-second"] = Core.Cost.BillingGranularity.PerSecond,
            ["per-minute"] = Core.Cost.BillingGranularity.PerMinute,
            ["per-hour"] = Core.Cost.BillingGranularity.PerHour,
        };
        if (perHour < 0 || spotPerHour < 0)
        {
            error.WriteLine("--price-per-hour, --spot-price-per-hour: a price must not be negative");
            return null;
        }

        if (!billings.TryGetValue(billing, out var granularity))
        {
            error.WriteLine($"--billing: '{billing}' is not one of per-second, per-minute, per-hour");
            return null;
        }

        if (currency.Length != 3 || !currency.All(char.IsAsciiLetterUpper))
        {
            error.WriteLine($"--currency: '{currency}' is not a currency code; write three capital letters such as USD or EUR");
            return null;
        }

        return new Core.Cost.PriceConfig
        {
            Currency = currency,
            OnDemand = new Core.Cost.RateCard { PerHour = perHour },
            Spot = new Core.Cost.RateCard { PerHour = spotPerHour },
            Billing = granularity,
        };
    }
}
