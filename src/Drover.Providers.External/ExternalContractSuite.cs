using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Drover.Core.Adapters;
using Drover.Core.Config;

namespace Drover.Providers.External;

/// <summary>
/// The contract suite <c>drover provider test</c> runs against a configured external provider: the calls GARM makes
/// (create, list by pool, delete, delete again, delete of what never existed) and those it defines (get, remove-all),
/// plus bad input, each checked against GARM's rules. It creates real instances (named <c>drover-contract-…</c>) and
/// deletes every one it made, whatever fails.
/// </summary>
public static class ExternalContractSuite
{
    /// <summary>Runs the suite; writes one line per check and a summary to <paramref name="output"/>.</summary>
    /// <param name="provider">The provider, as the fleet configuration bound it (type <c>external</c>).</param>
    /// <param name="context">What to build it with.</param>
    /// <param name="pool">The pool whose template and id the instances get; null for the first pool on the provider.</param>
    /// <param name="output">Where the lines go.</param>
    /// <param name="cancellationToken">Stops the suite (instances made are still deleted).</param>
    /// <returns>The number of failed checks.</returns>
    /// <exception cref="AdapterConfigurationException">The provider cannot be built (no executable, no config file).</exception>
    public static async Task<int> RunAsync(ProviderConfig provider, AdapterContext context, string? pool, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(output);
        var external = ExternalProviderFactory.Build(provider, context);
        var fleet = context.CurrentFleet();
        var poolConfig = pool is null
            ? fleet.Pools.FirstOrDefault(p => p.Placement.Any(x => x.Name == provider.Name))
            : fleet.FindPool(pool);
        var poolId = poolConfig?.Name ?? pool ?? "drover-contract-pool";
        var template = poolConfig?.Template ?? new InstanceTemplate();
        var suite = new Suite(output);
        var made = new List<string>();
        output.WriteLine($"Contract suite for provider {provider.Name}: {external.Settings.Executable} (interface {external.Settings.InterfaceVersion}), pool id {poolId}");
        try
        {
            var name = NewName();
            string? id = null;
            await suite.CheckAsync("create", async () =>
            {
                id = await CreateAsync(external, context, poolId, name, template, cancellationToken).ConfigureAwait(false);
                made.Add(id);
                return $"instance {id} for runner {name}";
            }).ConfigureAwait(false);

            if (id is null)
            {
                suite.Skip("get, list, delete", "nothing was created");
            }
            else
            {
                await suite.CheckAsync("get", async () =>
                {
                    var got = await external.GetAsync(id, poolId, cancellationToken).ConfigureAwait(false)
                        ?? throw new ContractException($"GetInstance said {id} does not exist (exit 30) right after it was created");
                    return got.Name == name && got.ProviderId == id
                        ? $"{got.ProviderId} is {got.Status}"
                        : throw new ContractException($"GetInstance answered provider_id '{got.ProviderId}', name '{got.Name}'; expected '{id}', '{name}'");
                }).ConfigureAwait(false);

                await suite.CheckAsync("list by pool", async () =>
                {
                    var listed = await external.ListPoolAsync(poolId, cancellationToken).ConfigureAwait(false);
                    return listed.Any(i => i.Name == name && i.ProviderId == id)
                        ? $"{listed.Count} instance(s) in pool {poolId}, {name} among them"
                        : throw new ContractException($"ListInstances of pool {poolId} does not list {name} ({id}); it listed [{string.Join(", ", listed.Select(i => i.Name))}]");
                }).ConfigureAwait(false);

                await suite.CheckAsync("list another pool", async () =>
                {
                    var other = poolId + "-other";
                    var listed = await external.ListPoolAsync(other, cancellationToken).ConfigureAwait(false);
                    return listed.Any(i => i.Name == name)
                        ? throw new ContractException($"ListInstances of pool {other} lists {name}, which belongs to pool {poolId}")
                        : $"pool {other} does not list {name}";
                }).ConfigureAwait(false);

                await suite.CheckAsync("delete", async () =>
                {
                    await external.DeleteAsync(id, cancellationToken).ConfigureAwait(false);
                    made.Remove(id);
                    var listed = await external.ListPoolAsync(poolId, cancellationToken).ConfigureAwait(false);
                    return listed.Any(i => i.ProviderId == id)
                        ? throw new ContractException($"{id} is still listed after DeleteInstance succeeded")
                        : $"{id} deleted and no longer listed";
                }).ConfigureAwait(false);

                await suite.CheckAsync("idempotent delete", async () =>
                {
                    var call = await external.RunAsync(GarmCommand.DeleteInstance, poolId, id, null, external.Settings.ExecTimeout, null, cancellationToken).ConfigureAwait(false);
                    return call.ExitCode is 0 or GarmCommand.ExitNotFound
                        ? $"deleting {id} again exits {call.ExitCode}"
                        : throw new ContractException($"deleting {id} again exits {call.ExitCode}, not 0 or 30 (GARM retries such a delete forever); stderr: {Tail(call.Stderr)}");
                }).ConfigureAwait(false);
            }

            await suite.CheckAsync("delete by name of an unknown instance", async () =>
            {
                var ghost = NewName();
                var call = await external.RunAsync(GarmCommand.DeleteInstance, poolId, ghost, null, external.Settings.ExecTimeout, null, cancellationToken).ConfigureAwait(false);
                return call.ExitCode is 0 or GarmCommand.ExitNotFound
                    ? $"exits {call.ExitCode}"
                    : throw new ContractException($"exits {call.ExitCode}, not 0 or 30: GARM deletes by name after a failed create; stderr: {Tail(call.Stderr)}");
            }).ConfigureAwait(false);

            await suite.CheckAsync("bad input", async () =>
            {
                var before = await external.ListPoolAsync(poolId, cancellationToken).ConfigureAwait(false);
                var call = await external.RunAsync(GarmCommand.CreateInstance, poolId, null, "{ this is not json", external.Settings.ExecTimeout, null, cancellationToken).ConfigureAwait(false);
                var after = await external.ListPoolAsync(poolId, cancellationToken).ConfigureAwait(false);
                var extra = after.Where(a => before.All(b => b.ProviderId != a.ProviderId)).ToList();
                made.AddRange(extra.Select(e => e.ProviderId!));
                if (call.ExitCode == 0)
                {
                    throw new ContractException("CreateInstance with a stdin that is not JSON exits 0");
                }

                var unknown = await external.RunAsync("NoSuchCommand", poolId, null, null, external.Settings.ExecTimeout, null, cancellationToken).ConfigureAwait(false);
                if (unknown.ExitCode == 0)
                {
                    throw new ContractException("an unknown GARM_COMMAND exits 0");
                }

                return extra.Count > 0
                    ? throw new ContractException($"CreateInstance with bad input exits {call.ExitCode} but left {extra.Count} instance(s) behind")
                    : $"bad stdin exits {call.ExitCode}, an unknown command exits {unknown.ExitCode}, nothing created";
            }).ConfigureAwait(false);

            await suite.CheckAsync("remove all", async () =>
            {
                var first = await CreateAsync(external, context, poolId, NewName(), template, cancellationToken).ConfigureAwait(false);
                made.Add(first);
                await external.RemoveAllAsync(cancellationToken).ConfigureAwait(false);
                var listed = await external.ListPoolAsync(poolId, cancellationToken).ConfigureAwait(false);
                if (listed.Any(i => i.ProviderId == first))
                {
                    throw new ContractException($"RemoveAllInstances exits 0 but {first} is still listed (GARM never calls it; some providers make it a no-op)");
                }

                made.Remove(first);
                return "every instance of this controller removed";
            }).ConfigureAwait(false);
        }
        finally
        {
            foreach (var id in made)
            {
                try
                {
                    await external.DeleteAsync(id, CancellationToken.None).ConfigureAwait(false);
                    output.WriteLine($"cleanup: deleted {id}");
                }
                catch (ExternalProviderException e)
                {
                    output.WriteLine($"cleanup: could not delete {id}: {e.Message}");
                    suite.Failed++;
                }
            }
        }

        output.WriteLine($"{suite.Passed} passed, {suite.Failed} failed, {suite.Skipped} skipped");
        return suite.Failed;
    }

    private static async Task<string> CreateAsync(ExternalProvider external, AdapterContext context, string pool, string name, InstanceTemplate template, CancellationToken cancellationToken)
    {
        // A stand-in credential: the suite checks the provider, not a runner; the instance's token hands out only this.
        var reference = context.Vault.Put(name, new RunnerCredential("jit-config", "drover-contract-test-credential"));
        return await external.CreateAsync(new InstanceRequest(pool, name, template, reference), cancellationToken).ConfigureAwait(false);
    }

    private static string NewName() => "drover-contract-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

    private static string Tail(string text) => text.Length <= 300 ? text.Trim() : "…" + text[^300..].Trim();

    private sealed class Suite(TextWriter output)
    {
        public int Passed { get; private set; }

        public int Failed { get; set; }

        public int Skipped { get; private set; }

        public async Task CheckAsync(string name, Func<Task<string>> check)
        {
            var watch = Stopwatch.StartNew();
            try
            {
                var said = await check().ConfigureAwait(false);
                Passed++;
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"PASS {name}: {said} ({watch.Elapsed.TotalSeconds:F1} s)"));
            }
            catch (Exception e) when (e is ContractException or ExternalProviderException)
            {
                Failed++;
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"FAIL {name}: {e.Message} ({watch.Elapsed.TotalSeconds:F1} s)"));
            }
        }

        public void Skip(string name, string why)
        {
            Skipped++;
            output.WriteLine($"SKIP {name}: {why}");
        }
    }

    private sealed class ContractException(string message) : Exception(message);
}
