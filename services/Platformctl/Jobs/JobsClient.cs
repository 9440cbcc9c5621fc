using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Platform.Substrate.BuildingBlocks;
using Platformctl.Delivery;

namespace Platformctl.Jobs;

/// <summary>How a call to a job endpoint ended.</summary>
public enum JobCallOutcome
{
    /// <summary>A 2xx with a job status.</summary>
    Job,

    /// <summary>A 4xx: the request (or the key, or the job id) is wrong; retrying it will not help.</summary>
    Refused,

    /// <summary>No answer, a timeout, a 5xx or an answer that is not a job status.</summary>
    Unreachable,
}

/// <summary>The answer to one call: the job, or what went wrong, line by line (a refusal's problems one per line).</summary>
public sealed record JobCall(JobCallOutcome Outcome, JobStatus? Job, IReadOnlyList<string> Lines);

/// <summary>Talks to one service's <c>/v1/jobs</c> endpoints with the operator's API key (sent as X-Api-Key, never printed).</summary>
public sealed class JobsClient(HttpClient http, Uri baseUrl, string apiKey)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public Task<JobCall> SubmitAsync<TRequest>(string path, TRequest request, CancellationToken cancellationToken)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(request, PlatformJson.Options));
        content.Headers.ContentType = Json;
        return SendAsync(new HttpRequestMessage(HttpMethod.Post, BatchPosting.Below(baseUrl, path)) { Content = content }, cancellationToken);
    }

    public Task<JobCall> GetAsync(string jobId, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, BatchPosting.Below(baseUrl, "v1/jobs/" + Uri.EscapeDataString(jobId))), cancellationToken);

    private async Task<JobCall> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            request.Headers.Add(BatchPosting.ApiKeyHeader, apiKey);
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, cancellationToken);
            }
            catch (HttpRequestException exception)
            {
                return new(JobCallOutcome.Unreachable, null, [$"{request.RequestUri}: connection failed ({exception.HttpRequestError})"]);
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return new(JobCallOutcome.Unreachable, null, [$"{request.RequestUri}: timed out"]);
            }

            using (response)
            {
                var body = await ReadJsonAsync(response, cancellationToken);
                var status = (int)response.StatusCode;
                if (response.IsSuccessStatusCode)
                {
                    return ReadJob(body) is { } job
                        ? new(JobCallOutcome.Job, job, [])
                        : new(JobCallOutcome.Unreachable, null, [$"{request.RequestUri}: HTTP {status} without a job status"]);
                }

                var lines = new List<string> { $"{request.Method} {request.RequestUri?.AbsolutePath}: {BatchPosting.Reason(status, BatchPosting.TitleOf(body))}" };
                lines.AddRange(ProblemLines(body));
                var outcome = status is >= 400 and < 500 && response.StatusCode != HttpStatusCode.RequestTimeout && status != 429
                    ? JobCallOutcome.Refused
                    : JobCallOutcome.Unreachable;
                return new(outcome, null, lines);
            }
        }
    }

    /// <summary>The problem's detail and each entry of its <c>problems</c> list as <c>member: CODE message</c>.</summary>
    private static IEnumerable<string> ProblemLines(JsonElement? problem)
    {
        if (problem is not { ValueKind: JsonValueKind.Object } root)
        {
            yield break;
        }

        if (Text(root, "detail") is { } detail)
        {
            yield return "  " + detail;
        }

        if (Property(root, "problems") is { ValueKind: JsonValueKind.Array } problems)
        {
            foreach (var item in problems.EnumerateArray())
            {
                var member = Text(item, "member") is { Length: > 0 } m ? m : "/";
                yield return $"  {member}: {Text(item, "code")} {Text(item, "message")}".TrimEnd();
            }
        }
    }

    private static JobStatus? ReadJob(JsonElement? body)
    {
        try
        {
            return body is { ValueKind: JsonValueKind.Object } value && value.Deserialize<JobStatus>(PlatformJson.Options) is { JobId: not null, Status: not null } job
                ? job
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // Problem extensions are written by the server's own serializer settings: match names without regard to case.
    private static JsonElement? Property(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object
            ? element.EnumerateObject().Where(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)).Select(p => (JsonElement?)p.Value).FirstOrDefault()
            : null;

    private static string? Text(JsonElement element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    private static async Task<JsonElement?> ReadJsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
