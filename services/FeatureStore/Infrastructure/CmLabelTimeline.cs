using System.Text.Json;
using Dapr.Client;
using FeatureStore.Domain;
using Microsoft.Extensions.Configuration;
using Platform.Substrate.BuildingBlocks;

namespace FeatureStore.Infrastructure;

/// <summary>
/// Reads a run's label timeline from the Label Store in <c>cm</c> through Dapr service invocation
/// (<c>GET /v1/labels?platform_run_id=…&amp;cursor=…</c>, pages until <c>next_cursor</c> is null). No <c>limit</c>:
/// cm then pages at its own configured maximum, which a fixed size here could exceed. CM admits <c>ofs</c> as an
/// internal reader by the caller app id its sidecar sets.
/// </summary>
public sealed class CmLabelTimeline(HttpClient cm) : ILabelTimeline
{
    /// <summary>
    /// An HTTP client whose requests go to app <c>cm</c> through the sidecar's HTTP endpoint, read from the same
    /// settings the DaprClient uses (<c>DAPR_HTTP_ENDPOINT</c>, <c>DAPR_API_TOKEN</c>; Dapr's defaults when absent).
    /// </summary>
    public static HttpClient ClientFor(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return DaprClient.CreateInvokeHttpClient(PlatformNames.AppIds.CaseLabels, configuration["DAPR_HTTP_ENDPOINT"], configuration["DAPR_API_TOKEN"]);
    }

    public async Task<IReadOnlyList<LabelObservation>> ReadRunAsync(string platformRunId, CancellationToken cancellationToken)
    {
        var labels = new List<LabelObservation>();
        string? cursor = null;
        do
        {
            var query = $"v1/labels?platform_run_id={Uri.EscapeDataString(platformRunId)}"
                + (cursor is null ? string.Empty : "&cursor=" + Uri.EscapeDataString(cursor));
            using var response = await cm.GetAsync(new Uri(query, UriKind.Relative), cancellationToken);
            response.EnsureSuccessStatusCode();
            var page = await JsonSerializer.DeserializeAsync<LabelPage>(await response.Content.ReadAsStreamAsync(cancellationToken), PlatformJson.Options, cancellationToken)
                ?? throw new InvalidDataException("cm answered a label page with JSON null.");
            labels.AddRange(page.Labels);
            if (page.NextCursor is not null && page.NextCursor == cursor)
            {
                throw new InvalidDataException("cm answered a label page whose next_cursor does not advance.");
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null);

        return labels;
    }

    // The members of CM's label page OFS reads; the stored labels carry more (actor, payload_hash...), ignored here.
    private sealed record LabelPage(IReadOnlyList<LabelObservation> Labels, string? NextCursor);
}
