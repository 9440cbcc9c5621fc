using System.Text.Json;
using Dapr;
using Platform.Substrate.Environments;
using Platform.Substrate.Governance;
using Platform.Substrate.Identity;
using Platformctl.Secrets;

namespace Platformctl.Tests.Secrets;

/// <summary>
/// <c>secrets rotate</c> as an operator runs it: local_parity rewrites the generated secrets file and records
/// SECRET_ROTATED (here in the local fact log), dev/prod print the Secrets Manager steps; no value ever leaves the file.
/// </summary>
public sealed class SecretRotatorTests : IDisposable
{
    private const string RunId = "platform_20261128T010203Z";
    private const string ReleaseId = "0123456789abcdef0123456789abcdef01234567";
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("secrets-rotate-");
    private readonly StringWriter _output = new();

    private string SecretsPath => Path.Combine(_dir.FullName, "secrets.json");

    private LocalFactLog Facts => new(Path.Combine(_dir.FullName, "facts"));

    public void Dispose()
    {
        _output.Dispose();
        _dir.Delete(recursive: true);
    }

    [Fact]
    public async Task A_local_api_key_rotation_rewrites_the_file_prints_the_key_once_and_records_the_fact()
    {
        WriteSecrets(new Dictionary<string, string>
        {
            ["api-keys"] = RotationTests.Allowlist(("producer", "old-key", null), ("operator", "op-key", null)),
            ["postgres-connection-string"] = "host=x password=keep-me",
        });

        var exit = await Rotator().RunAsync(Request("api-keys", PlatformEnvironment.LocalParity, keyId: "producer"), CancellationToken.None);

        Assert.Equal(0, exit);
        var output = _output.ToString();
        var secrets = ReadSecrets();
        var newKey = Assert.Single(System.Text.RegularExpressions.Regex.Matches(output, "pk_[A-Za-z0-9_-]{43}")).Value;
        Assert.Equal("host=x password=keep-me", secrets["postgres-connection-string"]);
        var allowlist = JsonSerializer.Deserialize<List<ApiKeyEntry>>(secrets["api-keys"], Platform.Substrate.BuildingBlocks.PlatformJson.Options)!;
        Assert.Equal(ApiKeyEntry.HashOf(newKey), allowlist.Single(e => e.KeyId == "producer" && e.Version == 2).KeySha256);
        Assert.Contains(allowlist, e => e.KeyId == "producer" && e.KeySha256 == ApiKeyEntry.HashOf("old-key"));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(SecretsPath));
        }

        var fact = SingleFact();
        Assert.Equal("SECRET_ROTATED", fact.GetProperty("fact_type").GetString());
        Assert.Equal(RunId, fact.GetProperty("pins").GetProperty("platform_run_id").GetString());
        Assert.Equal("HUMAN::tester", fact.GetProperty("actor").GetProperty("actor_id").GetString());
        Assert.Equal("platformctl", fact.GetProperty("actor").GetProperty("source_component").GetString());
        Assert.Equal("local_parity", fact.GetProperty("provenance").GetProperty("environment").GetString());
        var details = fact.GetProperty("details");
        Assert.Equal(("api-keys", "producer@2", "added"), (details.GetProperty("secret_name").GetString(), details.GetProperty("version").GetString(), details.GetProperty("action").GetString()));
        Assert.Equal(SecretVersion.FingerprintOf(secrets["api-keys"]), details.GetProperty("fingerprint").GetString());
        var raw = fact.GetRawText();
        Assert.DoesNotContain(newKey, raw, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiKeyEntry.HashOf(newKey), raw, StringComparison.Ordinal);
        Assert.Contains("local fact log", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_local_signing_key_rotation_adds_the_public_key_for_apps_and_keeps_the_private_half_apart()
    {
        WriteSecrets(new Dictionary<string, string> { ["api-keys"] = "[]" });

        var exit = await Rotator().RunAsync(Request("jwt-signing-keys", PlatformEnvironment.LocalParity), CancellationToken.None);

        Assert.Equal(0, exit);
        var secrets = ReadSecrets();
        Assert.DoesNotContain("\"d\"", secrets["jwt-signing-keys"], StringComparison.Ordinal);
        Assert.Contains("\"d\"", secrets[SigningKeyRotation.PrivateSecretName], StringComparison.Ordinal);
        Assert.DoesNotContain("pk_", _output.ToString(), StringComparison.Ordinal);
        Assert.Equal("jwt-v1", SingleFact().GetProperty("details").GetProperty("version").GetString());
    }

    [Fact]
    public async Task Dev_and_prod_print_the_secrets_manager_steps_and_touch_nothing()
    {
        var exit = await Rotator().RunAsync(Request("api-keys", PlatformEnvironment.Prod), CancellationToken.None);

        Assert.Equal(0, exit);
        var output = _output.ToString();
        Assert.Contains("aws secretsmanager put-secret-value --secret-id api-keys", output, StringComparison.Ordinal);
        Assert.Contains("--env prod --record", output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Facts.Root));
        Assert.False(File.Exists(SecretsPath));
    }

    [Fact]
    public async Task A_dev_rotation_done_by_the_steps_is_recorded_without_a_value()
    {
        var exit = await Rotator().RunAsync(Request("jwt-signing-keys", PlatformEnvironment.Dev, record: true, version: "kid-2026-11"), CancellationToken.None);

        Assert.Equal(0, exit);
        var fact = SingleFact();
        Assert.Equal("dev", fact.GetProperty("provenance").GetProperty("environment").GetString());
        Assert.Equal(ReleaseId, fact.GetProperty("provenance").GetProperty("service_release_id").GetString());
        Assert.Equal("kid-2026-11", fact.GetProperty("details").GetProperty("version").GetString());
        Assert.False(fact.GetProperty("details").TryGetProperty("fingerprint", out _));
    }

    [Theory]
    [InlineData("jwt-signing-keys", true, null)]
    [InlineData("no-such-secret", true, "v2")]
    [InlineData("no-such-secret", false, null)]
    public async Task Incomplete_or_unknown_cloud_requests_fail_with_a_message(string secret, bool record, string? version)
    {
        var exit = await Rotator().RunAsync(Request(secret, PlatformEnvironment.Prod, record: record, version: version), CancellationToken.None);

        Assert.Equal(1, exit);
        Assert.StartsWith("secrets rotate: ", _output.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Facts.Root));
    }

    [Fact]
    public async Task Local_parity_refuses_secrets_it_does_not_rotate_and_a_missing_file()
    {
        var missing = await Rotator().RunAsync(Request("api-keys", PlatformEnvironment.LocalParity), CancellationToken.None);
        WriteSecrets(new Dictionary<string, string> { ["postgres-connection-string"] = "x" });
        var other = await Rotator().RunAsync(Request("postgres-connection-string", PlatformEnvironment.LocalParity), CancellationToken.None);

        Assert.Equal((1, 1), (missing, other));
        Assert.Contains("not found", _output.ToString(), StringComparison.Ordinal);
        Assert.Contains("backends-up.sh", _output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_the_sidecar_fails_the_fact_goes_to_the_local_log_instead_of_being_lost()
    {
        WriteSecrets(new Dictionary<string, string> { ["api-keys"] = RotationTests.Allowlist(("producer", "k", null)) });
        var rotator = new SecretRotator(new FailingSink(), Facts, _output, TimeProvider.System, Variables);

        var exit = await rotator.RunAsync(Request("api-keys", PlatformEnvironment.LocalParity), CancellationToken.None);

        Assert.Equal(0, exit);
        Assert.Contains("sidecar failed (no sidecar here)", _output.ToString(), StringComparison.Ordinal);
        Assert.Equal("producer@2", SingleFact().GetProperty("details").GetProperty("version").GetString());
    }

    private static string? Variables(string name) => name == "SERVICE_RELEASE_ID" ? ReleaseId : null;

    private SecretRotator Rotator() => new(Facts, Facts, _output, TimeProvider.System, Variables);

    private RotateRequest Request(string secret, PlatformEnvironment environment, string? keyId = null, bool record = false, string? version = null) =>
        new(secret, environment, SecretsPath, keyId, RetireOld: false, record, version, RunId, "HUMAN::tester");

    private void WriteSecrets(Dictionary<string, string> secrets)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(SecretsPath, options);
        JsonSerializer.Serialize(stream, secrets);
    }

    private Dictionary<string, string> ReadSecrets() => JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(SecretsPath))!;

    private JsonElement SingleFact()
    {
        var file = Assert.Single(Directory.GetFiles(Facts.Root, "*.json", SearchOption.AllDirectories));
        Assert.EndsWith(Path.Combine("obs", "governance", Path.GetFileName(file)), file, StringComparison.Ordinal);
        return JsonDocument.Parse(File.ReadAllText(file)).RootElement.Clone();
    }

    private sealed class FailingSink : IFactSink
    {
        public Task<string> RecordAsync(GovernanceFact fact, CancellationToken cancellationToken) => throw new DaprException("no sidecar here");
    }
}
