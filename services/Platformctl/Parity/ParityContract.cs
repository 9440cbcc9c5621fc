namespace Platformctl.Parity;

/// <summary>components/parity-contract.yaml: the allowed differences between the env sets (seed §1) and the lists they refer to.</summary>
public sealed record ParityContract(
    IReadOnlyList<string> Environments,
    IReadOnlyList<string> Apps,
    IReadOnlyList<string> OperatorAppIds,
    string SecretStore,
    IReadOnlyList<string> CredentialFields,
    string ConfigurationFile,
    string ControlPlaneFile,
    string ResiliencyFile,
    string SchemasDir,
    IReadOnlyList<string> RequiredContractFiles,
    string PartitioningProfiles,
    IReadOnlyList<DifferenceRule> Differences)
{
    public const string FileName = "parity-contract.yaml";

    public IEnumerable<string> KnownAppIds => Apps.Concat(OperatorAppIds);

    public static ParityContract Load(string path)
    {
        var root = YamlResource.LoadMapping(path);
        var refs = Map(root, "contract_refs", path);
        var differences = (root.GetValueOrDefault("differences") as IReadOnlyList<object?> ?? [])
            .Select(item => DifferenceRule.From(item as IReadOnlyDictionary<string, object?> ?? throw new InvalidDataException($"{path}: differences: each entry must be a mapping"), path))
            .ToList();
        var contract = new ParityContract(
            Strings(root, "environments", path),
            Strings(root, "apps", path),
            Strings(root, "operator_app_ids", path),
            Text(root, "secret_store", path),
            Strings(root, "credential_fields", path),
            Text(root, "configuration_file", path),
            Text(root, "control_plane_file", path),
            Text(root, "resiliency_file", path),
            Text(refs, "schemas_dir", path),
            Strings(refs, "required_files", path),
            Text(refs, "partitioning_profiles", path),
            differences);
        return contract.Environments.Count >= 2 ? contract : throw new InvalidDataException($"{path}: environments: at least two envs to compare");
    }

    /// <summary>The first rule that applies to <paramref name="path"/> of a resource in <paramref name="file"/>.</summary>
    public DifferenceRule? RuleFor(string file, string? kind, string? type, string? name, string path) =>
        Differences.FirstOrDefault(rule => rule.AppliesTo(file, kind, type, name, path));

    internal static IReadOnlyDictionary<string, object?> Map(IReadOnlyDictionary<string, object?> map, string key, string file) =>
        map.GetValueOrDefault(key) as IReadOnlyDictionary<string, object?> ?? throw new InvalidDataException($"{file}: {key}: a mapping is required");

    internal static string Text(IReadOnlyDictionary<string, object?> map, string key, string file) =>
        map.GetValueOrDefault(key) as string is { Length: > 0 } value ? value : throw new InvalidDataException($"{file}: {key}: a value is required");

    internal static IReadOnlyList<string> Strings(IReadOnlyDictionary<string, object?> map, string key, string file) =>
        map.GetValueOrDefault(key) is IReadOnlyList<object?> list && list.All(v => v is string)
            ? list.Cast<string>().ToList()
            : throw new InvalidDataException($"{file}: {key}: a list of strings is required");

    internal static IReadOnlyList<string>? OptionalStrings(IReadOnlyDictionary<string, object?> map, string key, string file) =>
        map.ContainsKey(key) ? Strings(map, key, file) : null;
}

/// <summary>One allowed difference: which field (and the fields under it), where, and how it may differ.</summary>
public sealed record DifferenceRule(
    string Path,
    IReadOnlyList<string>? Files,
    IReadOnlyList<string>? Kinds,
    IReadOnlyList<string>? Types,
    IReadOnlyList<string>? Names,
    bool MayDiffer,
    bool Optional,
    IReadOnlyList<string>? OnlyIn,
    IReadOnlyDictionary<string, string>? PerEnv,
    string? Pattern,
    string Why)
{
    private static readonly string[] Fields = ["path", "files", "kinds", "types", "names", "may_differ", "optional", "only_in", "per_env", "pattern", "why"];

    public bool AppliesTo(string file, string? kind, string? type, string? name, string path) =>
        FieldPaths.Covers(Path, path)
        && Matches(Files, file) && Matches(Kinds, kind) && Matches(Types, type) && Matches(Names, name);

    internal static DifferenceRule From(IReadOnlyDictionary<string, object?> map, string file)
    {
        if (map.Keys.FirstOrDefault(k => !Fields.Contains(k)) is { } unknown)
        {
            throw new InvalidDataException($"{file}: differences: unknown field '{unknown}' (known: {string.Join(", ", Fields)})");
        }

        var perEnv = map.GetValueOrDefault("per_env") is IReadOnlyDictionary<string, object?> envs
            ? envs.ToDictionary(e => e.Key, e => e.Value as string ?? "null", StringComparer.Ordinal)
            : null;
        return new DifferenceRule(
            ParityContract.Text(map, "path", file),
            ParityContract.OptionalStrings(map, "files", file),
            ParityContract.OptionalStrings(map, "kinds", file),
            ParityContract.OptionalStrings(map, "types", file),
            ParityContract.OptionalStrings(map, "names", file),
            Flag(map, "may_differ"),
            Flag(map, "optional"),
            ParityContract.OptionalStrings(map, "only_in", file),
            perEnv,
            map.GetValueOrDefault("pattern") as string,
            ParityContract.Text(map, "why", file));
    }

    private static bool Flag(IReadOnlyDictionary<string, object?> map, string key) =>
        map.GetValueOrDefault(key) as string is "true";

    private static bool Matches(IReadOnlyList<string>? allowed, string? value) =>
        allowed is null || (value is not null && allowed.Contains(value));
}
