using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Identity;
using Platform.Substrate.IntegrationTests.Infrastructure;
using Platform.Testing;

namespace Platform.Substrate.IntegrationTests;

/// <summary>
/// The local_parity rotation of an API key end to end: a copy of the generated secrets file gains a new version of the
/// producer key, the sidecar is restarted (Dapr's local file secret store reads the file at start-up, as daprd does)
/// and the same app process, never restarted, accepts the new key next to the old one and reports the new version.
/// </summary>
public sealed class SecretRotationTests : IAsyncLifetime
{
    private const string ProducerKeyId = "producer-synthetic";
    private readonly string _secretsFile = Path.Combine(Directory.CreateTempSubdirectory("secret-rotation-").FullName, "secrets.json");
    private readonly int _appPort = FreePort.Next();
    private HarnessInstance _sidecar = null!;
    private WebApplication _app = null!;

    private static string ProducerKey => BackendEnvironment.Current["PLATFORM_PRODUCER_API_KEY"];

    private static string OperatorKey => BackendEnvironment.Current["PLATFORM_OPERATOR_API_KEY"];

    public async Task InitializeAsync()
    {
        WriteSecrets(Backends.Secrets["api-keys"]);
        _sidecar = await HarnessInstance.StartAsync(
            PlatformNames.AppIds.IngestionGate, environment: new Dictionary<string, string> { ["PLATFORM_SECRETS_FILE"] = _secretsFile });
        // Every miss may re-read at once, so the test needs no clock: the rate limit is covered by the unit tests.
        _app = await PlatformApp.StartAsync(
            _appPort,
            _sidecar,
            appApiToken: null,
            web => web.Services.AddSingleton(new SecretRefreshOptions(TimeSpan.FromMinutes(5), TimeSpan.Zero)),
            web => web.MapPost("/ingest/traffic", (HttpContext http) => Results.Json(new { http.GetActorContext().ActorId }, PlatformJson.Options))
                .RequireAuthorization(WriterBoundaries.IngestTraffic));
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _sidecar.DisposeAsync();
        Directory.Delete(Path.GetDirectoryName(_secretsFile)!, recursive: true);
    }

    [Fact]
    public async Task A_rotated_api_key_is_accepted_without_restarting_the_app()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_appPort}") };
        var newKey = $"pk_rotated_{Guid.NewGuid():N}";
        using var beforeRotation = await PostAsync(http, newKey);
        var versionsBefore = await VersionsAsync(http);

        var entries = JsonSerializer.Deserialize<List<ApiKeyEntry>>(Backends.Secrets["api-keys"], PlatformJson.Options)!;
        var producer = entries.Single(e => e.KeyId == ProducerKeyId);
        var rotated = JsonSerializer.Serialize(
            entries.Append(producer with { KeySha256 = ApiKeyEntry.HashOf(newKey), Version = producer.EffectiveVersion + 1 }), PlatformJson.Options);
        WriteSecrets(rotated);
        await _sidecar.RestartAsync();

        using var newKeyAfter = await PostAsync(http, newKey);
        using var oldKeyAfter = await PostAsync(http, ProducerKey);
        var versionsAfter = await VersionsAsync(http);

        Assert.Equal(HttpStatusCode.Unauthorized, beforeRotation.StatusCode);
        Assert.Equal(HttpStatusCode.OK, newKeyAfter.StatusCode);
        Assert.Equal("SYSTEM::synthetic_producer", (await newKeyAfter.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("actor_id").GetString());
        Assert.Equal(HttpStatusCode.OK, oldKeyAfter.StatusCode);
        Assert.DoesNotContain($"{ProducerKeyId}@2", versionsBefore.Versions);
        Assert.Contains($"{ProducerKeyId}@1", versionsAfter.Versions);
        Assert.Contains($"{ProducerKeyId}@2", versionsAfter.Versions);
        Assert.Equal(SecretVersion.FingerprintOf(rotated), versionsAfter.Fingerprint);
    }

    private void WriteSecrets(string apiKeys)
    {
        var secrets = new Dictionary<string, string>(Backends.Secrets) { ["api-keys"] = apiKeys };
        var temp = _secretsFile + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temp, options))
        {
            JsonSerializer.Serialize(stream, secrets);
        }

        File.Move(temp, _secretsFile, overwrite: true);
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient http, string apiKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/ingest/traffic");
        request.Headers.Add("X-Api-Key", apiKey);
        return await http.SendAsync(request);
    }

    private static async Task<SecretVersion> VersionsAsync(HttpClient http)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, SecretVersionEndpoint.Path);
        request.Headers.Add("X-Api-Key", OperatorKey);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var secret = Assert.Single(body.GetProperty("secrets").EnumerateArray());
        return secret.Deserialize<SecretVersion>(PlatformJson.Options)!;
    }
}
