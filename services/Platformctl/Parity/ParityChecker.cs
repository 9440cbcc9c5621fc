using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Platformctl.Parity;

/// <summary>One broken rule: <c>&lt;file&gt;: &lt;field&gt;: &lt;rule&gt;</c>, the file relative to the repository root.</summary>
public sealed record ParityViolation(string File, string Field, string Rule)
{
    public override string ToString() => $"{File}: {Field}: {Rule}";
}

/// <summary>
/// <c>platformctl parity check</c>: compares components/&lt;env&gt;/ for every env of the parity contract, field by
/// field, and allows only the differences the contract declares; checks each set on its own (Dapr field table,
/// credentials through the secret store, scopes, one actor state store, bounded retries, inbound retries for Kinesis
/// input bindings); and checks the env-independent contract files the sets refer to.
/// </summary>
public sealed partial class ParityChecker
{
    private readonly string _root;
    private readonly ParityContract _contract;
    private readonly DaprFieldTable _fields;
    private readonly List<ParityViolation> _violations = [];
    private readonly Dictionary<string, SortedDictionary<string, IReadOnlyList<YamlResource>>> _sets = new(StringComparer.Ordinal);

    private ParityChecker(string root, ParityContract contract, DaprFieldTable fields)
    {
        _root = root;
        _contract = contract;
        _fields = fields;
    }

    /// <summary>Checks the repository at <paramref name="root"/>; throws <see cref="InvalidDataException"/> when the contract or field table is unreadable.</summary>
    public static IReadOnlyList<ParityViolation> Check(string root)
    {
        var components = Path.Combine(root, "components");
        var checker = new ParityChecker(
            root,
            ParityContract.Load(Path.Combine(components, ParityContract.FileName)),
            DaprFieldTable.Load(Path.Combine(components, DaprFieldTable.FileName)));
        checker.Run();
        return checker._violations;
    }

    private void Run()
    {
        foreach (var env in _contract.Environments)
        {
            LoadSet(env);
        }

        CompareFileNames();
        foreach (var file in _sets.Values.SelectMany(s => s.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            CompareFile(file);
        }

        foreach (var (env, set) in _sets)
        {
            CheckSet(env, set);
        }

        CheckContractRefs();
    }

    private static string SetPath(string env) => $"components/{env}";

    private static string FilePath(string env, string file) => $"{SetPath(env)}/{file}";

    private void Add(string file, string field, string rule) => _violations.Add(new ParityViolation(file, field, rule));

    private void LoadSet(string env)
    {
        var directory = Path.Combine(_root, "components", env);
        if (!Directory.Exists(directory))
        {
            Add(SetPath(env), "(set)", "missing: every env of the parity contract has a component set");
            return;
        }

        var set = new SortedDictionary<string, IReadOnlyList<YamlResource>>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(directory).Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal)))
        {
            try
            {
                set[Path.GetFileName(path)] = YamlResource.Load(path);
            }
            catch (InvalidDataException e)
            {
                Add(FilePath(env, Path.GetFileName(path)), "(yaml)", e.Message);
            }
        }

        _sets[env] = set;
    }

    private void CompareFileNames()
    {
        foreach (var (env, set) in _sets)
        {
            foreach (var (otherEnv, other) in _sets.Where(s => s.Key != env))
            {
                foreach (var file in other.Keys.Where(f => !set.ContainsKey(f)))
                {
                    // Each missing file is reported once, against the env that lacks it.
                    if (_sets.First(s => s.Value.ContainsKey(file)).Key == otherEnv)
                    {
                        Add(FilePath(env, file), "(file)", $"missing: {FilePath(otherEnv, file)} exists (same file names in every env)");
                    }
                }
            }
        }
    }

    private void CompareFile(string file)
    {
        var holders = _contract.Environments.Where(e => _sets.TryGetValue(e, out var set) && set.ContainsKey(file)).ToList();
        if (holders.Count < 2)
        {
            return;
        }

        var counts = holders.Select(e => _sets[e][file].Count).Distinct().Count();
        if (counts > 1)
        {
            foreach (var env in holders.Skip(1).Where(e => _sets[e][file].Count != _sets[holders[0]][file].Count))
            {
                Add(FilePath(env, file), "(documents)", $"{_sets[env][file].Count} documents; {FilePath(holders[0], file)} has {_sets[holders[0]][file].Count}");
            }
        }

        var documents = holders.Min(e => _sets[e][file].Count);
        for (var index = 0; index < documents; index++)
        {
            var resources = holders.ToDictionary(e => e, e => _sets[e][file][index], StringComparer.Ordinal);
            CompareResource(file, resources);
        }
    }

    private void CompareResource(string file, Dictionary<string, YamlResource> resources)
    {
        var reference = resources.Values.First();
        var flat = resources.ToDictionary(r => r.Key, r => FieldPaths.Flatten(r.Value.Root), StringComparer.Ordinal);
        var placeholders = Placeholders(reference.Name);
        foreach (var path in flat.Values.SelectMany(f => f.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var rule = _contract.RuleFor(file, reference.Kind, reference.Type, reference.Name, path);
            var values = flat.ToDictionary(f => f.Key, f => f.Value.GetValueOrDefault(path), StringComparer.Ordinal);
            if (rule?.PerEnv is { } perEnv)
            {
                foreach (var (env, value) in values)
                {
                    if (perEnv.TryGetValue(env, out var expected) && value != expected)
                    {
                        Add(FilePath(env, file), path, $"must be '{expected}' in {env}, is '{value ?? "(absent)"}' (parity contract: {rule.Why})");
                    }
                }

                continue;
            }

            var group = values.Keys.ToList();
            if (rule?.OnlyIn is { } onlyIn)
            {
                foreach (var env in group.Where(e => !onlyIn.Contains(e) && values[e] is not null))
                {
                    Add(FilePath(env, file), path, $"only allowed in {string.Join(", ", onlyIn)} (parity contract: {rule.Why})");
                }

                group = [.. group.Where(onlyIn.Contains)];
            }

            CompareGroup(file, path, rule, group, values);
            if (rule?.Pattern is { } pattern)
            {
                foreach (var env in group.Where(e => values[e] is not null))
                {
                    var regex = FieldPaths.Expand(pattern, new Dictionary<string, string>(placeholders) { ["env"] = env });
                    if (!regex.IsMatch(values[env]!))
                    {
                        Add(FilePath(env, file), path, $"'{values[env]}' does not match {regex} (parity contract: {rule.Why})");
                    }
                }
            }
        }
    }

    private void CompareGroup(string file, string path, DifferenceRule? rule, List<string> group, Dictionary<string, string?> values)
    {
        var present = group.Where(e => values[e] is not null).ToList();
        if (present.Count == 0)
        {
            return;
        }

        // The first env of the contract is the reference: a field it lacks is extra where set, one it has is missing where not.
        if (rule?.Optional != true && present.Count < group.Count)
        {
            var reference = group[0];
            var blamed = values[reference] is null ? present : group.Where(e => values[e] is null);
            foreach (var env in blamed)
            {
                Add(FilePath(env, file), path, values[reference] is null
                    ? $"not in {FilePath(reference, file)} (must be identical in every env unless the parity contract allows otherwise)"
                    : $"missing: {FilePath(reference, file)} sets it (must be identical in every env unless the parity contract allows otherwise)");
            }
        }

        if (rule?.MayDiffer == true)
        {
            return;
        }

        var expected = values[present[0]];
        foreach (var env in present.Skip(1).Where(e => values[e] != expected))
        {
            Add(FilePath(env, file), path, $"'{values[env]}' differs from '{expected}' in {FilePath(present[0], file)} (must be identical in every env unless the parity contract allows otherwise)");
        }
    }

    /// <summary>{app} and {stream} of an input binding's name <c>eb-&lt;stream&gt;-in-&lt;app&gt;</c>, for contract patterns.</summary>
    private static Dictionary<string, string> Placeholders(string? componentName) =>
        componentName is not null && InputBindingName().Match(componentName) is { Success: true } match
            ? new Dictionary<string, string>(StringComparer.Ordinal) { ["app"] = match.Groups["app"].Value, ["stream"] = match.Groups["stream"].Value }
            : new Dictionary<string, string>(StringComparer.Ordinal);

    private void CheckSet(string env, SortedDictionary<string, IReadOnlyList<YamlResource>> set)
    {
        var components = set.SelectMany(f => f.Value.Where(r => r.Kind == "Component").Select(r => (File: f.Key, Resource: r))).ToList();
        var known = _contract.KnownAppIds.ToHashSet(StringComparer.Ordinal);
        foreach (var (file, component) in components)
        {
            var at = FilePath(env, file);
            foreach (var (field, rule) in _fields.Check(component))
            {
                Add(at, field, rule);
            }

            CheckCredentials(at, component);
            if (component.Scopes.Count == 0)
            {
                Add(at, "scopes", "every component lists the app-ids that may load it (least privilege)");
            }

            foreach (var scope in component.Scopes.Where(s => !known.Contains(s)))
            {
                Add(at, "scopes", $"'{scope}' is not an app-id of the parity contract ({string.Join(", ", _contract.KnownAppIds)})");
            }

            if (component.Type == "bindings.aws.kinesis")
            {
                CheckEventBusBinding(at, component, components.Select(c => c.Resource));
            }
        }

        var scoped = components.SelectMany(c => c.Resource.Scopes).ToHashSet(StringComparer.Ordinal);
        foreach (var app in _contract.Apps.Where(a => !scoped.Contains(a)))
        {
            Add(SetPath(env), "scopes", $"app '{app}' is in no component's scopes");
        }

        var actorStores = components.Where(c => c.Resource.MetadataValue("actorStateStore") == "true").Select(c => c.Resource.Name).ToList();
        if (actorStores.Count != 1)
        {
            Add(SetPath(env), "actorStateStore", $"exactly one state store with actorStateStore \"true\" per env, found {actorStores.Count} ({string.Join(", ", actorStores)})");
        }

        CheckSingle(env, set, _contract.ConfigurationFile, "Configuration", resource => CheckConfiguration(FilePath(env, _contract.ConfigurationFile), resource, components.Select(c => c.Resource)));
        CheckSingle(env, set, _contract.ControlPlaneFile, "Configuration", _ => { });
        CheckSingle(env, set, _contract.ResiliencyFile, "Resiliency", resource => CheckResiliency(FilePath(env, _contract.ResiliencyFile), resource, components.Select(c => c.Resource).ToList()));

        foreach (var (file, resources) in set)
        {
            foreach (var resource in resources.Where(r => r.Kind is not ("Component" or "Configuration" or "Resiliency")))
            {
                Add(FilePath(env, file), "kind", $"'{resource.Kind}' is not a kind a component set holds (Component, Configuration, Resiliency)");
            }
        }
    }

    private void CheckSingle(string env, SortedDictionary<string, IReadOnlyList<YamlResource>> set, string file, string kind, Action<YamlResource> check)
    {
        if (!set.TryGetValue(file, out var resources))
        {
            Add(FilePath(env, file), "(file)", $"missing: every set has its {kind} in {file}");
        }
        else if (resources is not [{ } only] || only.Kind != kind)
        {
            Add(FilePath(env, file), "kind", $"must hold exactly one {kind}");
        }
        else
        {
            check(only);
        }
    }

    private void CheckCredentials(string at, YamlResource component)
    {
        var secretStore = (component.Root.GetValueOrDefault("auth") as IReadOnlyDictionary<string, object?>)?.GetValueOrDefault("secretStore") as string;
        foreach (var item in component.MetadataItems)
        {
            var name = item.GetValueOrDefault("name") as string ?? "";
            if (_contract.CredentialFields.Contains(name) && !item.ContainsKey("secretKeyRef"))
            {
                Add(at, $"spec.metadata[{name}]", "a credential comes from the secret store (secretKeyRef), never as a plain value or env var");
            }

            if (item.ContainsKey("secretKeyRef") && secretStore != _contract.SecretStore)
            {
                Add(at, "auth.secretStore", $"secretKeyRef resolves through '{_contract.SecretStore}': set auth.secretStore to it");
            }
        }
    }

    private void CheckEventBusBinding(string at, YamlResource binding, IEnumerable<YamlResource> components)
    {
        var direction = binding.MetadataValue("direction");
        if (binding.Name is { } name && InputBindingName().Match(name) is { Success: true } input)
        {
            var app = input.Groups["app"].Value;
            if (direction != "input")
            {
                Add(at, "spec.metadata[direction]", "an eb-<stream>-in-<app> binding is input only");
            }

            if (binding.Scopes is not [var only] || only != app)
            {
                Add(at, "scopes", $"an eb-<stream>-in-<app> binding is scoped to its one consumer, '{app}'");
            }

            if (string.IsNullOrEmpty(binding.MetadataValue("consumerName")))
            {
                Add(at, "spec.metadata[consumerName]", "an input binding names its consumer (and its DynamoDB lease table)");
            }

            var outName = $"eb-{input.Groups["stream"].Value}-out";
            var output = components.FirstOrDefault(c => c.Name == outName);
            if (output is null)
            {
                Add(at, "metadata.name", $"no {outName} binding in this set for the stream it consumes");
            }
            else if (output.MetadataValue("streamName") != binding.MetadataValue("streamName"))
            {
                Add(at, "spec.metadata[streamName]", $"'{binding.MetadataValue("streamName")}' is not the stream {outName} publishes to ('{output.MetadataValue("streamName")}')");
            }
        }
        else if (binding.Name?.EndsWith("-out", StringComparison.Ordinal) == true && binding.Name.StartsWith("eb-", StringComparison.Ordinal))
        {
            if (direction != "output")
            {
                Add(at, "spec.metadata[direction]", "an eb-<stream>-out binding is output only");
            }
        }
        else
        {
            Add(at, "metadata.name", "Kinesis bindings are named eb-<stream>-out or eb-<stream>-in-<app>");
        }
    }

    private void CheckConfiguration(string at, YamlResource configuration, IEnumerable<YamlResource> components)
    {
        var names = components.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var scopes = ((configuration.Spec?.GetValueOrDefault("secrets") as IReadOnlyDictionary<string, object?>)?.GetValueOrDefault("scopes") as IReadOnlyList<object?> ?? [])
            .OfType<IReadOnlyDictionary<string, object?>>().ToList();
        if (!scopes.Any(s => s.GetValueOrDefault("storeName") as string == _contract.SecretStore))
        {
            Add(at, "spec.secrets.scopes", $"the secret store '{_contract.SecretStore}' needs a secret scope (apps read only the secrets they are allowed)");
        }

        foreach (var store in scopes.Select(s => s.GetValueOrDefault("storeName") as string).Where(s => !names.Contains(s)))
        {
            Add(at, $"spec.secrets.scopes[{store}]", "names no secret store of this set");
        }

        var policies = ((configuration.Spec?.GetValueOrDefault("accessControl") as IReadOnlyDictionary<string, object?>)?.GetValueOrDefault("policies") as IReadOnlyList<object?> ?? [])
            .OfType<IReadOnlyDictionary<string, object?>>();
        foreach (var appId in policies.Select(p => p.GetValueOrDefault("appId") as string).Where(a => a is null || !_contract.KnownAppIds.Contains(a)))
        {
            Add(at, $"spec.accessControl.policies[{appId}]", "a policy names a caller app-id of the parity contract");
        }
    }

    private void CheckResiliency(string at, YamlResource resiliency, IReadOnlyList<YamlResource> components)
    {
        var policies = resiliency.Spec?.GetValueOrDefault("policies") as IReadOnlyDictionary<string, object?> ?? new Dictionary<string, object?>();
        IReadOnlyDictionary<string, object?> Section(IReadOnlyDictionary<string, object?> map, string key) =>
            map.GetValueOrDefault(key) as IReadOnlyDictionary<string, object?> ?? new Dictionary<string, object?>();

        var timeouts = Section(policies, "timeouts");
        var retries = Section(policies, "retries");
        var breakers = Section(policies, "circuitBreakers");
        foreach (var (name, value) in retries)
        {
            var maxRetries = (value as IReadOnlyDictionary<string, object?>)?.GetValueOrDefault("maxRetries") as string;
            if (!int.TryParse(maxRetries, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                Add(at, $"spec.policies.retries.{name}.maxRetries", $"'{maxRetries ?? "(absent)"}': retries are bounded (a number >= 0; absent or -1 means retry forever in Dapr)");
            }
        }

        if (breakers.Count == 0)
        {
            Add(at, "spec.policies.circuitBreakers", "at least one circuit breaker (fail fast while a dependency is down)");
        }

        var targets = resiliency.Spec?.GetValueOrDefault("targets") as IReadOnlyDictionary<string, object?> ?? new Dictionary<string, object?>();
        void CheckNames(string path, IReadOnlyDictionary<string, object?>? names)
        {
            foreach (var (kind, defined) in new[] { ("timeout", timeouts), ("retry", retries), ("circuitBreaker", breakers) })
            {
                if (names?.GetValueOrDefault(kind) is string policy && !defined.ContainsKey(policy))
                {
                    Add(at, $"{path}.{kind}", $"policy '{policy}' is not defined under spec.policies");
                }
            }
        }

        foreach (var (app, names) in Section(targets, "apps"))
        {
            if (!_contract.KnownAppIds.Contains(app))
            {
                Add(at, $"spec.targets.apps.{app}", "not an app-id of the parity contract");
            }

            CheckNames($"spec.targets.apps.{app}", names as IReadOnlyDictionary<string, object?>);
        }

        var componentTargets = Section(targets, "components");
        foreach (var (component, directions) in componentTargets)
        {
            if (components.All(c => c.Name != component))
            {
                Add(at, $"spec.targets.components.{component}", "names no component of this set");
            }

            foreach (var direction in new[] { "inbound", "outbound" })
            {
                CheckNames($"spec.targets.components.{component}.{direction}", (directions as IReadOnlyDictionary<string, object?>)?.GetValueOrDefault(direction) as IReadOnlyDictionary<string, object?>);
            }
        }

        // The Kinesis binding checkpoints whatever the app answers: only an inbound retry gives a failed record another chance.
        foreach (var binding in components.Where(c => c.Type == "bindings.aws.kinesis" && (c.MetadataValue("direction") ?? "").Contains("input", StringComparison.Ordinal)))
        {
            var inbound = (componentTargets.GetValueOrDefault(binding.Name!) as IReadOnlyDictionary<string, object?>)?.GetValueOrDefault("inbound") as IReadOnlyDictionary<string, object?>;
            if (inbound?.GetValueOrDefault("retry") is not string)
            {
                Add(at, $"spec.targets.components.{binding.Name}.inbound.retry", "every Kinesis input binding has an inbound retry policy");
            }
        }
    }

    private void CheckContractRefs()
    {
        foreach (var file in _contract.RequiredContractFiles.Where(f => !File.Exists(Path.Combine(_root, f))))
        {
            Add(file, "(file)", "missing: a contract file every env refers to");
        }

        var schemas = Path.Combine(_root, _contract.SchemasDir);
        if (Directory.Exists(schemas))
        {
            var envs = string.Join("|", _contract.Environments.Select(Regex.Escape));
            var envToken = new Regex($"(^|[._/-])({envs})([._/-]|$)", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            foreach (var entry in Directory.EnumerateFileSystemEntries(schemas, "*", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(_root, entry).Replace('\\', '/');
                if (envToken.IsMatch(Path.GetRelativePath(schemas, entry).Replace('\\', '/')))
                {
                    Add(relative, "(path)", "schemas are one copy for every env: nothing under schemas/ is named after an env");
                }
            }
        }

        foreach (var env in _contract.Environments.Where(_sets.ContainsKey))
        {
            foreach (var file in _sets[env].Keys.Where(f => f.EndsWith(".json", StringComparison.Ordinal)))
            {
                Add(FilePath(env, file), "(file)", "contract files live in schemas/, not in a component set");
            }
        }

        var profilesPath = Path.Combine(_root, _contract.PartitioningProfiles);
        if (!File.Exists(profilesPath))
        {
            return;
        }

        using var profiles = JsonDocument.Parse(File.ReadAllBytes(profilesPath));
        var streams = profiles.RootElement.GetProperty("profiles").EnumerateObject()
            .Select(p => p.Value.TryGetProperty("stream", out var s) ? s.GetString() : null)
            .OfType<string>()
            .Distinct(StringComparer.Ordinal);
        foreach (var stream in streams)
        {
            foreach (var (env, set) in _sets)
            {
                var published = set.Values.SelectMany(r => r).Any(r =>
                    r.Type == "bindings.aws.kinesis" && r.Name?.EndsWith("-out", StringComparison.Ordinal) == true && r.MetadataValue("streamName") == stream);
                if (!published)
                {
                    Add(SetPath(env), "streamName", $"no eb-<stream>-out binding publishes to '{stream}', which {_contract.PartitioningProfiles} routes to");
                }
            }
        }
    }

    [GeneratedRegex("^eb-(?<stream>[a-z0-9-]+)-in-(?<app>[a-z0-9]+)$", RegexOptions.CultureInvariant)]
    private static partial Regex InputBindingName();
}
