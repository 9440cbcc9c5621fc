using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.Testing;

namespace IngestionGate.Tests.Service;

/// <summary>
/// A secrets file for the service tests' sidecars: the backends' generated secrets (connection strings, storage
/// keys) with an <c>api-keys</c> allowlist of our own, so each corpus caller (<c>traffic</c>, <c>context</c>,
/// <c>traffic_context</c>, <c>rtdl</c>) and an operator has a real key. <c>revoked</c> is a key that was issued and is
/// no longer listed; <c>unknown</c> was never issued. Written once per test run, readable by the owner only.
/// </summary>
internal static class TestSecrets
{
    private static readonly Lazy<(string Path, IReadOnlyDictionary<string, string> Keys)> Shared = new(Create);

    /// <summary>Pass as PLATFORM_SECRETS_FILE to a harness.</summary>
    public static string FilePath => Shared.Value.Path;

    /// <summary>The raw key of a symbolic caller; null for <c>missing</c> (no header), empty for <c>empty</c>.</summary>
    public static string? ApiKey(string caller) => caller switch
    {
        "missing" => null,
        "empty" => string.Empty,
        _ => Shared.Value.Keys[caller],
    };

    /// <summary>Base secrets (s3 keys, connection strings) as the backends generated them.</summary>
    public static IReadOnlyDictionary<string, string> Backend { get; } =
        JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(BackendEnvironment.Current["PLATFORM_SECRETS_FILE"]))
        ?? throw new InvalidOperationException("the backends' secrets file is JSON null");

    private static (string, IReadOnlyDictionary<string, string>) Create()
    {
        var callers = new (string Caller, string Principal, string SourceType, string[] Roles)[]
        {
            ("traffic", "corpus-traffic", "SYSTEM", ["producer:traffic"]),
            ("context", "corpus-context", "SYSTEM", ["producer:context"]),
            ("traffic_context", "corpus-producer", "SYSTEM", ["producer:traffic", "producer:context"]),
            ("rtdl", "corpus-rtdl", "SYSTEM", ["producer:rtdl_decision"]),
            ("operator", "corpus-operator", "HUMAN", ["operator"]),
        };
        var keys = callers.ToDictionary(c => c.Caller, _ => NewKey(), StringComparer.Ordinal);
        keys["revoked"] = NewKey();
        keys["unknown"] = NewKey();

        var allowlist = new JsonArray([.. callers.Select(c => (JsonNode)new JsonObject
        {
            ["key_id"] = "ig-tests-" + c.Caller,
            ["key_sha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(keys[c.Caller]))),
            ["principal"] = c.Principal,
            ["source_type"] = c.SourceType,
            ["roles"] = new JsonArray([.. c.Roles.Select(r => (JsonNode)r)]),
        })]);
        var secrets = new JsonObject();
        foreach (var (name, value) in Backend)
        {
            secrets[name] = value;
        }

        secrets["api-keys"] = allowlist.ToJsonString();

        var path = Path.Combine(Directory.CreateTempSubdirectory("ig-service-tests-").FullName, "secrets.json");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var file = new FileStream(path, options))
        {
            file.Write(Encoding.UTF8.GetBytes(secrets.ToJsonString()));
        }

        return (path, keys);
    }

    private static string NewKey() => "pk_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');
}
