using System.Globalization;
using System.Security;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Drover.Testing.Ec2;

/// <summary>
/// An in-process EC2 endpoint on 127.0.0.1 (Kestrel, port 0) speaking the EC2 Query API (form-encoded
/// <c>Action=...</c>, XML answers with EC2's element names and its <c>&lt;Response&gt;&lt;Errors&gt;</c> errors), so the real
/// AWSSDK.EC2 client runs against it through <c>ServiceURL</c>. It serves RunInstances (tag specifications, client-token
/// idempotency, spot market options, launch templates, <c>resolve:ssm:</c> images), DescribeInstances (instance ids,
/// <c>tag:K</c>, <c>tag-key</c> and <c>instance-state-name</c> filters, MaxResults/NextToken pages), TerminateInstances,
/// CreateTags and DeleteTags. Injectable faults: no capacity per type, zone and market (<see cref="HasCapacity"/>,
/// answered <c>InsufficientInstanceCapacity</c>), throttling (<see cref="ThrottleNext"/>, <see cref="ThrottleRate"/>:
/// <c>503 RequestLimitExceeded</c>), eventual consistency (<see cref="InvisibleFor"/>: a new instance is unknown,
/// <c>InvalidInstanceID.NotFound</c>, for a while), spot interruptions (<see cref="Interrupt"/>), and instances that
/// never boot (<see cref="Boots"/>). A running instance that boots runs <see cref="Boot"/> (given the instance, whose
/// user data says where its runner credential is) and, when that returns, shuts itself down as its OS would: terminated
/// with <c>Client.InstanceInitiatedShutdown</c> when its shutdown behavior is <c>terminate</c>, else stopped.
/// </summary>
public sealed partial class Ec2Emulator : IAsyncDisposable
{
    private const string Namespace = "http://ec2.amazonaws.com/doc/2016-11-15/";
    private readonly Lock _sync = new();
    private readonly Dictionary<string, EmulatedInstance> _instances = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Fingerprint, string ReservationId)> _tokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _calls = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _lives = [];
    private Random _random = new(1);
    private WebApplication _app = null!;
    private int _throttleNext;
    private int _loseNext;
    private int _throttled;
    private int _capacityRefusals;
    private int _highWater;
    private long _nextId = 0x0a1b2c3d4e5f60;

    private Ec2Emulator()
    {
    }

    /// <summary>The endpoint to give the SDK as <c>ServiceURL</c>.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>The region the emulator pretends to be (zones are this plus a letter).</summary>
    public string Region { get; init; } = "us-east-1";

    /// <summary>Subnets and their availability zones; a subnet not listed is refused with <c>InvalidSubnetID.NotFound</c>.</summary>
    public Dictionary<string, string> Subnets { get; } = new(StringComparer.Ordinal)
    {
        ["subnet-0a"] = "us-east-1a",
        ["subnet-0b"] = "us-east-1b",
        ["subnet-0c"] = "us-east-1c",
    };

    /// <summary>SSM parameters an image id <c>resolve:ssm:NAME</c> may name, and the AMI each resolves to.</summary>
    public Dictionary<string, string> SsmParameters { get; } = new(StringComparer.Ordinal)
    {
        ["/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id"] = "ami-0ubuntu2404",
    };

    /// <summary>Whether there is capacity for (instance type, zone, spot); false is answered <c>InsufficientInstanceCapacity</c>.</summary>
    public Func<string, string, bool, bool> HasCapacity { get; set; } = (_, _, _) => true;

    /// <summary>Whether a new instance boots (runs <see cref="Boot"/>) once running; false: it runs and never does anything.</summary>
    public Func<EmulatedInstance, bool> Boots { get; set; } = _ => true;

    /// <summary>What a booted instance does (its user data); when it returns the instance's OS shuts down.</summary>
    public Func<EmulatedInstance, CancellationToken, Task> Boot { get; set; } = (_, _) => Task.CompletedTask;

    /// <summary>How long pending lasts before running.</summary>
    public TimeSpan StartDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How long a new instance is unknown to every call but the RunInstances that made it (eventual consistency).</summary>
    public TimeSpan InvisibleFor { get; set; }

    /// <summary>How long a terminated instance is still described (EC2: about an hour).</summary>
    public TimeSpan TerminatedRetention { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Share (0–1) of calls answered <c>RequestLimitExceeded</c>, drawn from a generator seeded by <see cref="Seed"/>.</summary>
    public double ThrottleRate { get; set; }

    /// <summary>Calls answered <c>RequestLimitExceeded</c> so far.</summary>
    public int Throttled => Volatile.Read(ref _throttled);

    /// <summary>RunInstances calls refused for capacity so far.</summary>
    public int CapacityRefusals => Volatile.Read(ref _capacityRefusals);

    /// <summary>The most instances not terminated at once.</summary>
    public int HighWater => Volatile.Read(ref _highWater);

    /// <summary>Starts an emulator on a loopback port.</summary>
    public static async Task<Ec2Emulator> StartAsync(Action<Ec2Emulator>? configure = null)
    {
        var emulator = new Ec2Emulator();
        configure?.Invoke(emulator);
        var (app, url) = await LoopbackApp.StartAsync(a => a.MapPost("/", emulator.HandleAsync));
        emulator._app = app;
        emulator.Url = url;
        return emulator;
    }

    /// <summary>Restarts the throttling generator from <paramref name="seed"/>.</summary>
    public void Seed(int seed)
    {
        lock (_sync)
        {
            _random = new Random(seed);
        }
    }

    /// <summary>
    /// The next <paramref name="calls"/> calls that change something are carried out, then answered <c>500
    /// InternalError</c>, as when the answer is lost on its way back: a retried RunInstances meets its ClientToken.
    /// </summary>
    public void LoseNextAnswers(int calls) => Interlocked.Exchange(ref _loseNext, calls);

    /// <summary>The next <paramref name="calls"/> calls are answered <c>RequestLimitExceeded</c>.</summary>
    public void ThrottleNext(int calls) => Interlocked.Exchange(ref _throttleNext, calls);

    /// <summary>How many calls of <paramref name="action"/> were made.</summary>
    public int Calls(string action)
    {
        lock (_sync)
        {
            return _calls.GetValueOrDefault(action);
        }
    }

    /// <summary>Every instance still described (terminated ones until their retention ends), oldest first.</summary>
    public IReadOnlyList<EmulatedInstance> Instances()
    {
        lock (_sync)
        {
            Expire();
            return [.. _instances.Values.OrderBy(i => i.LaunchedAt)];
        }
    }

    /// <summary>Instances not terminated (pending, running, shutting-down, stopping, stopped).</summary>
    public IReadOnlyList<EmulatedInstance> Live() => [.. Instances().Where(i => i.State != "terminated")];

    /// <summary>An instance by id, or null.</summary>
    public EmulatedInstance? Find(string id)
    {
        lock (_sync)
        {
            return _instances.GetValueOrDefault(id);
        }
    }

    /// <summary>
    /// Takes a spot instance back, as EC2 does after its two-minute notice: shutting-down, then terminated with state
    /// reason <c>Server.SpotInstanceTermination</c>. Returns false when it is not a live spot instance.
    /// </summary>
    public bool Interrupt(string id)
    {
        lock (_sync)
        {
            if (!_instances.TryGetValue(id, out var instance) || !instance.Spot || instance.State is "terminated" or "shutting-down")
            {
                return false;
            }

            End(instance, "Server.SpotInstanceTermination", "Server.SpotInstanceTermination: Spot instance termination");
            return true;
        }
    }

    /// <summary>Drops instances terminated longer than <paramref name="ago"/> from the listing (retention ends early).</summary>
    public void ExpireTerminated(TimeSpan ago)
    {
        lock (_sync)
        {
            var now = DateTimeOffset.UtcNow;
            foreach (var instance in _instances.Values.Where(i => i.TerminatedAt is { } at && now - at >= ago).ToList())
            {
                _instances.Remove(instance.Id);
            }
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        lock (_sync)
        {
            foreach (var instance in _instances.Values)
            {
                instance.Life.Cancel();
            }
        }

        Task[] lives;
        lock (_sync)
        {
            lives = [.. _lives];
        }

        try
        {
            await Task.WhenAll(lives).WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
            // Boot hooks that ignore cancellation are left behind.
        }

        await _app.DisposeAsync();
        _stop.Dispose();
    }

    private async Task HandleAsync(HttpContext http)
    {
        var form = await http.Request.ReadFormAsync();
        var p = form.ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal);
        var action = p.GetValueOrDefault("Action") ?? "";
        lock (_sync)
        {
            _calls[action] = _calls.GetValueOrDefault(action) + 1;
        }

        var throttled = TakeOne(ref _throttleNext);
        if (!throttled)
        {
            lock (_sync)
            {
                throttled = ThrottleRate > 0 && _random.NextDouble() < ThrottleRate;
            }
        }

        if (throttled)
        {
            Interlocked.Increment(ref _throttled);
            await WriteError(http, 503, "RequestLimitExceeded", "Request limit exceeded.");
            return;
        }

        try
        {
            var body = action switch
            {
                "RunInstances" => RunInstances(p),
                "DescribeInstances" => DescribeInstances(p),
                "TerminateInstances" => TerminateInstances(p),
                "CreateTags" => ChangeTags(p, add: true),
                "DeleteTags" => ChangeTags(p, add: false),
                _ => throw new Ec2Fault(400, "InvalidAction", $"The action {action} is not valid for this web service."),
            };
            if (action is not "DescribeInstances" && TakeOne(ref _loseNext))
            {
                await WriteError(http, 500, "InternalError", "An internal error has occurred");
                return;
            }

            http.Response.ContentType = "text/xml;charset=UTF-8";
            await http.Response.WriteAsync($"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{action}Response xmlns=\"{Namespace}\"><requestId>{Guid.NewGuid()}</requestId>{body}</{action}Response>");
        }
        catch (Ec2Fault fault)
        {
            if (fault.Code == "InsufficientInstanceCapacity")
            {
                Interlocked.Increment(ref _capacityRefusals);
            }

            await WriteError(http, fault.Status, fault.Code, fault.Message);
        }
    }

    /// <summary>Takes one from a counter of faults still to inject; false when none is left.</summary>
    private static bool TakeOne(ref int counter)
    {
        while (true)
        {
            var left = Volatile.Read(ref counter);
            if (left <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref counter, left - 1, left) == left)
            {
                return true;
            }
        }
    }

    private static Task WriteError(HttpContext http, int status, string code, string message)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "text/xml;charset=UTF-8";
        return http.Response.WriteAsync(
            $"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>{code}</Code><Message>{SecurityElement.Escape(message)}</Message></Error></Errors><RequestID>{Guid.NewGuid()}</RequestID></Response>");
    }

    private string RunInstances(Dictionary<string, string> p)
    {
        var image = p.GetValueOrDefault("ImageId");
        var template = p.GetValueOrDefault("LaunchTemplate.LaunchTemplateId") ?? p.GetValueOrDefault("LaunchTemplate.LaunchTemplateName");
        if (image is null && template is null)
        {
            throw new Ec2Fault(400, "MissingParameter", "The request must contain the parameter ImageId");
        }

        if (image is not null && image.StartsWith("resolve:ssm:", StringComparison.Ordinal))
        {
            image = SsmParameters.GetValueOrDefault(image["resolve:ssm:".Length..])
                ?? throw new Ec2Fault(400, "InvalidParameterValue", $"Invalid value for parameter ImageId: the SSM parameter {image["resolve:ssm:".Length..]} does not exist.");
        }
        else if (image is not null && !image.StartsWith("ami-", StringComparison.Ordinal))
        {
            throw new Ec2Fault(400, "InvalidAMIID.Malformed", $"Invalid id: \"{image}\" (expecting \"ami-...\")");
        }

        var type = p.GetValueOrDefault("InstanceType") ?? (template is null ? "m1.small" : "t3.micro");
        if (p.GetValueOrDefault("MinCount") != "1" || p.GetValueOrDefault("MaxCount") != "1")
        {
            throw new Ec2Fault(400, "InvalidParameterValue", "This emulator launches one instance per call (MinCount = MaxCount = 1).");
        }

        var subnet = p.GetValueOrDefault("SubnetId") ?? p.GetValueOrDefault("NetworkInterface.1.SubnetId") ?? "";
        string zone;
        if (subnet.Length == 0)
        {
            zone = p.GetValueOrDefault("Placement.AvailabilityZone") ?? Region + "a";
        }
        else if (!Subnets.TryGetValue(subnet, out zone!))
        {
            throw new Ec2Fault(400, "InvalidSubnetID.NotFound", $"The subnet ID '{subnet}' does not exist");
        }

        var spot = p.GetValueOrDefault("InstanceMarketOptions.MarketType") == "spot";
        var token = p.GetValueOrDefault("ClientToken");
        var fingerprint = string.Join('|', image, template, type, subnet, spot, p.GetValueOrDefault("UserData"));
        lock (_sync)
        {
            Expire();
            if (token is not null && _tokens.TryGetValue(token, out var earlier))
            {
                if (earlier.Fingerprint != fingerprint)
                {
                    throw new Ec2Fault(400, "IdempotentParameterMismatch", "The client token you have provided is associated with a resource that is already deleted or has different parameters.");
                }

                var made = _instances.Values.Where(i => i.ReservationId == earlier.ReservationId).ToList();
                return Reservation(earlier.ReservationId, made);
            }

            if (!HasCapacity(type, zone, spot))
            {
                throw new Ec2Fault(500, "InsufficientInstanceCapacity", spot
                    ? $"There is no Spot capacity available that matches your request. (type {type}, zone {zone})"
                    : $"We currently do not have sufficient {type} capacity in the Availability Zone you requested ({zone}). Our system will be working on provisioning additional capacity.");
            }

            var id = "i-" + (_nextId++).ToString("x17", CultureInfo.InvariantCulture);
            var reservation = "r-" + _nextId.ToString("x17", CultureInfo.InvariantCulture);
            var instance = new EmulatedInstance(id, reservation, DateTimeOffset.UtcNow)
            {
                ImageId = image ?? "ami-0fromtemplate",
                InstanceType = type,
                SubnetId = subnet,
                AvailabilityZone = zone,
                Spot = spot,
                ClientToken = token,
                UserData = p.TryGetValue("UserData", out var data) ? Encoding.UTF8.GetString(Convert.FromBase64String(data)) : "",
                SecurityGroups = [.. p.Where(e => e.Key.StartsWith("SecurityGroupId.", StringComparison.Ordinal)).OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => e.Value)],
                InstanceProfile = p.GetValueOrDefault("IamInstanceProfile.Name") ?? p.GetValueOrDefault("IamInstanceProfile.Arn"),
                LaunchTemplate = template,
                RootVolume = (p.TryGetValue("BlockDeviceMapping.1.Ebs.VolumeSize", out var size) ? int.Parse(size, CultureInfo.InvariantCulture) : null,
                    p.GetValueOrDefault("BlockDeviceMapping.1.Ebs.VolumeType")),
                ShutdownBehavior = p.GetValueOrDefault("InstanceInitiatedShutdownBehavior") ?? "stop",
                Parameters = p,
            };
            for (var s = 1; p.ContainsKey($"TagSpecification.{s}.ResourceType"); s++)
            {
                if (p[$"TagSpecification.{s}.ResourceType"] != "instance")
                {
                    continue;
                }

                for (var t = 1; p.TryGetValue($"TagSpecification.{s}.Tag.{t}.Key", out var key); t++)
                {
                    instance.Tags[key] = p.GetValueOrDefault($"TagSpecification.{s}.Tag.{t}.Value") ?? "";
                }
            }

            _instances[id] = instance;
            if (token is not null)
            {
                _tokens[token] = (fingerprint, reservation);
            }

            _highWater = Math.Max(_highWater, _instances.Values.Count(i => i.State != "terminated"));
            _lives.Add(Task.Run(() => LiveAsync(instance)));
            return Reservation(reservation, [instance]);
        }
    }

    private string DescribeInstances(Dictionary<string, string> p)
    {
        var ids = Indexed(p, "InstanceId");
        var filters = new List<(string Name, HashSet<string> Values)>();
        for (var f = 1; p.TryGetValue($"Filter.{f}.Name", out var name); f++)
        {
            filters.Add((name, [.. Indexed(p, $"Filter.{f}.Value")]));
        }

        var max = p.TryGetValue("MaxResults", out var m) ? int.Parse(m, CultureInfo.InvariantCulture) : (int?)null;
        if (max is not null && ids.Count > 0)
        {
            throw new Ec2Fault(400, "InvalidParameterCombination", "The parameter instancesSet cannot be used with the parameter maxResults");
        }

        if (max is < 5 or > 1000)
        {
            throw new Ec2Fault(400, "InvalidParameterValue", $"Value ( {max} ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.");
        }

        var start = p.TryGetValue("NextToken", out var next) ? int.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(next)), CultureInfo.InvariantCulture) : 0;
        lock (_sync)
        {
            Expire();
            var visible = _instances.Values.Where(Visible).OrderBy(i => i.LaunchedAt).ThenBy(i => i.Id, StringComparer.Ordinal).ToList();
            var missing = ids.Where(id => !visible.Any(i => i.Id == id)).ToList();
            if (missing.Count > 0)
            {
                throw new Ec2Fault(400, "InvalidInstanceID.NotFound", $"The instance IDs '{string.Join(", ", missing)}' do not exist");
            }

            var matched = visible.Where(i => (ids.Count == 0 || ids.Contains(i.Id)) && filters.All(f => Matches(i, f.Name, f.Values))).ToList();
            var page = matched.Skip(start).Take(max ?? int.MaxValue).ToList();
            var more = max is not null && start + page.Count < matched.Count;
            var body = new StringBuilder("<reservationSet>");
            foreach (var group in page.GroupBy(i => i.ReservationId))
            {
                body.Append("<item>").Append(ReservationBody(group.Key, [.. group])).Append("</item>");
            }

            body.Append("</reservationSet>");
            if (more)
            {
                body.Append("<nextToken>").Append(Convert.ToBase64String(Encoding.UTF8.GetBytes((start + page.Count).ToString(CultureInfo.InvariantCulture)))).Append("</nextToken>");
            }

            return body.ToString();
        }
    }

    private string TerminateInstances(Dictionary<string, string> p)
    {
        var ids = Indexed(p, "InstanceId");
        lock (_sync)
        {
            Expire();
            var missing = ids.Where(id => !_instances.TryGetValue(id, out var i) || !Visible(i)).ToList();
            if (missing.Count > 0)
            {
                throw new Ec2Fault(400, "InvalidInstanceID.NotFound", $"The instance IDs '{string.Join(", ", missing)}' do not exist");
            }

            var body = new StringBuilder("<instancesSet>");
            foreach (var id in ids)
            {
                var instance = _instances[id];
                var (code, name) = (instance.StateCode, instance.State);
                if (instance.State != "terminated")
                {
                    End(instance, "Client.UserInitiatedShutdown", "Client.UserInitiatedShutdown: User initiated shutdown");
                }

                body.Append(CultureInfo.InvariantCulture, $"<item><instanceId>{id}</instanceId><currentState><code>{instance.StateCode}</code><name>{instance.State}</name></currentState><previousState><code>{code}</code><name>{name}</name></previousState></item>");
            }

            return body.Append("</instancesSet>").ToString();
        }
    }

    private string ChangeTags(Dictionary<string, string> p, bool add)
    {
        var ids = Indexed(p, "ResourceId");
        lock (_sync)
        {
            var missing = ids.Where(id => !_instances.TryGetValue(id, out var i) || !Visible(i)).ToList();
            if (missing.Count > 0)
            {
                throw new Ec2Fault(400, "InvalidInstanceID.NotFound", $"The instance ID '{string.Join(", ", missing)}' does not exist");
            }

            foreach (var id in ids)
            {
                for (var t = 1; p.TryGetValue($"Tag.{t}.Key", out var key); t++)
                {
                    if (add)
                    {
                        _instances[id].Tags[key] = p.GetValueOrDefault($"Tag.{t}.Value") ?? "";
                    }
                    else
                    {
                        _instances[id].Tags.Remove(key);
                    }
                }
            }

            return "<return>true</return>";
        }
    }

    private async Task LiveAsync(EmulatedInstance instance)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(instance.Life.Token, _stop.Token);
        try
        {
            await Task.Delay(StartDelay, linked.Token);
            lock (_sync)
            {
                if (instance.State != "pending")
                {
                    return;
                }

                instance.State = "running";
            }

            if (!Boots(instance))
            {
                return;
            }

            try
            {
                await Boot(instance, linked.Token);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The user data failed (set -e): its exit trap shuts the instance down all the same.
                instance.BootError = e.Message;
            }

            lock (_sync)
            {
                if (instance.State == "running")
                {
                    if (instance.ShutdownBehavior == "terminate")
                    {
                        End(instance, "Client.InstanceInitiatedShutdown", "Client.InstanceInitiatedShutdown: Instance initiated shutdown");
                    }
                    else
                    {
                        instance.State = "stopped";
                        instance.StateReason = ("Client.InstanceInitiatedShutdown", "Client.InstanceInitiatedShutdown: Instance initiated shutdown");
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Terminated (or the emulator stopped) while booting or running.
        }
    }

    /// <summary>Terminates <paramref name="instance"/> with <paramref name="code"/> (under the lock); its boot hook is cancelled.</summary>
    private void End(EmulatedInstance instance, string code, string message)
    {
        instance.State = "terminated";
        instance.StateReason = (code, message);
        instance.TerminatedAt = DateTimeOffset.UtcNow;
        instance.Life.Cancel();
    }

    private bool Visible(EmulatedInstance instance) => DateTimeOffset.UtcNow - instance.LaunchedAt >= InvisibleFor;

    private void Expire()
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var instance in _instances.Values.Where(i => i.TerminatedAt is { } at && now - at >= TerminatedRetention).ToList())
        {
            _instances.Remove(instance.Id);
        }
    }

    private static bool Matches(EmulatedInstance instance, string name, HashSet<string> values) => name switch
    {
        "instance-state-name" => values.Contains(instance.State),
        "instance-id" => values.Contains(instance.Id),
        "instance-type" => values.Contains(instance.InstanceType),
        "availability-zone" => values.Contains(instance.AvailabilityZone),
        "client-token" => instance.ClientToken is { } t && values.Contains(t),
        "tag-key" => instance.Tags.Keys.Any(values.Contains),
        _ when name.StartsWith("tag:", StringComparison.Ordinal) => instance.Tags.TryGetValue(name[4..], out var v) && values.Any(x => Glob(x, v)),
        _ => throw new Ec2Fault(400, "InvalidParameterValue", $"The filter '{name}' is invalid"),
    };

    private static bool Glob(string pattern, string value) =>
        Regex.IsMatch(value, "^" + Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$");

    private static List<string> Indexed(Dictionary<string, string> p, string prefix)
    {
        var values = new List<string>();
        for (var n = 1; p.TryGetValue($"{prefix}.{n}", out var value); n++)
        {
            values.Add(value);
        }

        return values;
    }

    private string Reservation(string reservationId, IReadOnlyList<EmulatedInstance> instances) => ReservationBody(reservationId, instances);

    private static string ReservationBody(string reservationId, IReadOnlyList<EmulatedInstance> instances)
    {
        var body = new StringBuilder();
        body.Append(CultureInfo.InvariantCulture, $"<reservationId>{reservationId}</reservationId><ownerId>123456789012</ownerId><groupSet/><instancesSet>");
        foreach (var i in instances)
        {
            body.Append("<item>")
                .Append(CultureInfo.InvariantCulture, $"<instanceId>{i.Id}</instanceId><imageId>{X(i.ImageId)}</imageId>")
                .Append(CultureInfo.InvariantCulture, $"<instanceState><code>{i.StateCode}</code><name>{i.State}</name></instanceState>")
                .Append("<privateDnsName/><dnsName/><reason/><amiLaunchIndex>0</amiLaunchIndex>")
                .Append(CultureInfo.InvariantCulture, $"<instanceType>{X(i.InstanceType)}</instanceType>")
                .Append(CultureInfo.InvariantCulture, $"<launchTime>{i.LaunchedAt.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fff'Z'}</launchTime>")
                .Append(CultureInfo.InvariantCulture, $"<placement><availabilityZone>{X(i.AvailabilityZone)}</availabilityZone><groupName/><tenancy>default</tenancy></placement>")
                .Append("<monitoring><state>disabled</state></monitoring>")
                .Append(CultureInfo.InvariantCulture, $"<subnetId>{X(i.SubnetId)}</subnetId><vpcId>vpc-0emulated</vpcId>");
            if (i.ClientToken is { } token)
            {
                body.Append(CultureInfo.InvariantCulture, $"<clientToken>{X(token)}</clientToken>");
            }

            if (i.Spot)
            {
                body.Append("<instanceLifecycle>spot</instanceLifecycle>");
            }

            if (i.StateReason is { } reason)
            {
                body.Append(CultureInfo.InvariantCulture, $"<stateReason><code>{X(reason.Code)}</code><message>{X(reason.Message)}</message></stateReason>");
            }

            body.Append("<tagSet>");
            foreach (var (key, value) in i.Tags)
            {
                body.Append(CultureInfo.InvariantCulture, $"<item><key>{X(key)}</key><value>{X(value)}</value></item>");
            }

            body.Append("</tagSet></item>");
        }

        return body.Append("</instancesSet>").ToString();
    }

    private static string X(string text) => SecurityElement.Escape(text) ?? "";

    private sealed class Ec2Fault(int status, string code, string message) : Exception(message)
    {
        public int Status { get; } = status;

        public string Code { get; } = code;
    }
}
