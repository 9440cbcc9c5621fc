using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using IngestionGate.Domain;
using IngestionGate.Tests.Corpus;
using Platform.Substrate.Pinning;
using static IngestionGate.Tests.Service.Submissions;

namespace IngestionGate.Tests.Service;

/// <summary>
/// Every case of the admission corpus (both levels) replayed over HTTP against IG on its sidecar: the exact status,
/// decision and reason codes; every receipt fetched and checked against its schema; and for every refused request,
/// nothing written anywhere (no admission row, run segment or receipt index entry; no object under the run).
/// </summary>
/// <remarks>
/// Each case gets a run id of its own (substituted for the corpus's), so replays never meet an earlier run's
/// admissions and "nothing written" can be checked by run.
/// </remarks>
[Collection(IgServiceCollectionDefinition.Name)]
public sealed partial class CorpusReplayTests(IgServiceFixture fixture)
{
    private const string CorpusRunId = Envelopes.RunId;
    private static readonly string[] EventClasses = ["traffic", "context", "rtdl_decision", "case_trigger", "audit"];

    public static TheoryData<string> AllCases
    {
        get
        {
            var names = new TheoryData<string>();
            foreach (var @case in AdmissionCorpus.All)
            {
                names.Add(@case.Name);
            }

            return names;
        }
    }

    [Theory]
    [MemberData(nameof(AllCases))]
    public async Task Each_corpus_case_gets_its_exact_answer_over_http(string name)
    {
        var @case = AdmissionCorpus.Named(name);
        var run = FreshRunId();
        var client = fixture.Ig.Client(@case.ApiKey);
        foreach (var before in @case.Before ?? [])
        {
            var earlier = await client.PostAsync("/v1/events", WithRun(Encoding.UTF8.GetBytes(before), run), "application/json");
            Assert.True(earlier.Status == HttpStatusCode.OK, $"{name}: before: {earlier}");
        }

        var body = WithRun(@case.BodyBytes(), run);
        var path = @case.Endpoint == "batch" ? "/v1/events:batch" : "/v1/events";
        var answer = await client.PostAsync(path, body, @case.ContentType, PolicyRev(@case.PolicyRev));

        Assert.True((int)answer.Status == @case.Expect.Status, $"{name}: expected {@case.Expect.Status}, got {answer}");
        if (answer.Status != HttpStatusCode.OK)
        {
            Assert.Equal("application/problem+json", answer.ContentType);
            Assert.Equal(@case.Expect.Status, answer.Body.GetProperty("status").GetInt32());
            if (@case.Expect.EventClass is { } eventClass)
            {
                Assert.Contains($"'{eventClass}'", answer.Body.GetProperty("detail").GetString(), StringComparison.Ordinal);
            }

            await AssertNothingWrittenAsync(run, body);
            return;
        }

        if (@case.Expect.Items is { } items)
        {
            var results = answer.Results;
            Assert.Equal(items.Count, results.Length);
            for (var i = 0; i < items.Count; i++)
            {
                Assert.Equal(items[i].Decision, results[i].GetProperty("decision").GetString());
                Assert.Equal(items[i].ReasonCodes, results[i].GetProperty("reason_codes").EnumerateArray().Select(c => c.GetString()));
                await AssertReceiptAsync(client, results[i].GetProperty("receipt_id").GetString()!, items[i].Decision, items[i].ReasonCodes);
            }

            return;
        }

        Assert.Equal(@case.Expect.Decision, answer.Decision);
        Assert.Equal(@case.Expect.ReasonCodes, answer.ReasonCodes);
        await AssertReceiptAsync(client, answer.ReceiptId, answer.Decision, answer.ReasonCodes);
    }

    private static async Task AssertReceiptAsync(HttpClient client, string receiptId, string decision, IReadOnlyList<string> reasonCodes)
    {
        var receipt = await client.ReceiptAsync(receiptId);
        Assert.Equal(decision, receipt.GetProperty("decision").GetString());
        Assert.Equal(reasonCodes, receipt.GetProperty("reason_codes").EnumerateArray().Select(c => c.GetString()));
    }

    /// <summary>Nothing about the run exists: no admission row for any event id in the body, no segment, no receipt index entry, no object.</summary>
    private static async Task AssertNothingWrittenAsync(string run, byte[] body)
    {
        var text = Encoding.UTF8.GetString(body);
        var eventIds = EventIdMember().Matches(text).Select(m => m.Groups[1].Value).Distinct(StringComparer.Ordinal);
        var admissionKeys = eventIds.SelectMany(id => EventClasses.Select(c => EventIds.DedupeKey(run, c, id)));
        Assert.Empty(await Backends.RowsOfRunAsync(run, admissionKeys));
        Assert.Empty(await Backends.ObjectKeysAsync(run + "/"));
    }

    private string? PolicyRev(string expectation) => expectation switch
    {
        "none" => null,
        "active" => fixture.Ig.Context.PolicyRev.ContentDigest,
        "stale" => new string('0', 64),
        _ => "ig_policy.v0.1",
    };

    private static byte[] WithRun(byte[] body, string run)
    {
        var from = Encoding.ASCII.GetBytes(CorpusRunId);
        var to = Encoding.ASCII.GetBytes(run);
        using var output = new MemoryStream(body.Length);
        var span = body.AsSpan();
        int at;
        while ((at = span.IndexOf(from)) >= 0)
        {
            output.Write(span[..at]);
            output.Write(to);
            span = span[(at + from.Length)..];
        }

        output.Write(span);
        return output.ToArray();
    }

    [GeneratedRegex("\"event_id\"\\s*:\\s*\"([^\"]+)\"")]
    private static partial Regex EventIdMember();
}
