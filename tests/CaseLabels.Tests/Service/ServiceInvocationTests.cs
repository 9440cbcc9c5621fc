using System.Net;
using Platform.Testing;
using static CaseLabels.Tests.Service.Labels;
using static CaseLabels.Tests.TestLabels;

namespace CaseLabels.Tests.Service;

/// <summary>OFS reads the label timeline through Dapr service invocation: ofs's sidecar → cm's sidecar → cm.</summary>
[Collection(CmServiceCollectionDefinition.Name)]
public sealed class ServiceInvocationTests
{
    [Fact]
    public async Task Ofs_reads_a_timeline_through_its_sidecar_without_a_credential_of_its_own()
    {
        // A namespace of our own, so the harnesses find each other and nobody else's cm.
        var environment = new Dictionary<string, string>
        {
            ["PLATFORM_SECRETS_FILE"] = TestSecrets.FilePath,
            ["NAMESPACE"] = "cm-tests-" + Guid.NewGuid().ToString("N")[..12],
        };
        var port = FreePort.Next();
        await using var cmSidecar = await HarnessInstance.StartAsync("cm", appPort: port, environment: environment);
        await using var cm = await CmService.StartAsync(cmSidecar, port: port);
        await using var ofsSidecar = await HarnessInstance.StartAsync("ofs", environment: environment);
        var (run, evt) = (FreshRunId(), Unique("evt"));
        var ack = await cm.Client("feed").PostLabelAsync(AssertionJson(run, evt));

        // What ofs does: a plain HTTP call to its own sidecar's invoke API.
        using var ofs = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ofsSidecar.HttpPort}") };
        using var response = await ofs.GetAsync(new Uri($"v1.0/invoke/cm/method/v1/labels/{run}/{evt}", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {body}");
        Assert.Contains(ack.Str("label_assertion_id"), body, StringComparison.Ordinal);
    }
}
