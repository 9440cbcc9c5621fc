using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Platform.Testing;

/// <summary>
/// A secrets file for service tests' sidecars (pass <see cref="FilePath"/> as PLATFORM_SECRETS_FILE): the backends'
/// generated secrets (connection strings, storage keys) with an <c>api-keys</c> allowlist of the test's own symbolic
/// callers, each with a fresh real key. Besides them: <c>revoked</c> (a key that was issued and is no longer listed),
/// <c>unknown</c> (never issued), <c>missing</c> (no header) and <c>empty</c>. Readable by the owner only.
/// </summary>
public sealed class ApiKeySecretsFile
{
    private readonly Dictionary<string, string> _keys;

    public ApiKeySecretsFile(string keyIdPrefix, IEnumerable<ApiKeyCaller> callers)
    {
        var listed = callers.ToList();
        _keys = listed.ToDictionary(c => c.Caller, _ => NewKey(), StringComparer.Ordinal);
        _keys["revoked"] = NewKey();
        _keys["unknown"] = NewKey();

        var secrets = new JsonObject();
        foreach (var (name, value) in BackendEnvironment.Current.Secrets)
        {
            secrets[name] = value;
        }

        secrets["api-keys"] = new JsonArray([.. listed.Select(c => (JsonNode)new JsonObject
        {
            ["key_id"] = $"{keyIdPrefix}-{c.Caller}",
            ["key_sha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(_keys[c.Caller]))),
            ["principal"] = c.Principal,
            ["source_type"] = c.SourceType,
            ["roles"] = new JsonArray([.. c.Roles.Select(r => (JsonNode)r)]),
        })]).ToJsonString();

        FilePath = Path.Combine(Directory.CreateTempSubdirectory($"{keyIdPrefix}-secrets-").FullName, "secrets.json");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var file = new FileStream(FilePath, options);
        file.Write(Encoding.UTF8.GetBytes(secrets.ToJsonString()));
    }

    public string FilePath { get; }

    /// <summary>The raw key of a symbolic caller; null for <c>missing</c> (send no header), empty for <c>empty</c>.</summary>
    public string? ApiKey(string caller) => caller switch
    {
        "missing" => null,
        "empty" => string.Empty,
        _ => _keys[caller],
    };

    private static string NewKey() => "pk_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');
}

/// <summary>A symbolic caller of a service test and the identity its key stands for.</summary>
public sealed record ApiKeyCaller(string Caller, string Principal, string SourceType, params string[] Roles);
