using System.Text;
using System.Text.Json;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Identity;

namespace IngestionGate.Tests.Corpus;

/// <summary>
/// The admission corpus (Corpus/admission_corpus.ndjson, described in Corpus/README.md): bad and good submissions with
/// the exact answer IG owes each. <c>level: domain</c> cases are decided by the evaluator; <c>level: http</c> ones by
/// the service around it. Tests take a case by name so each runs and reports on its own.
/// </summary>
public static class AdmissionCorpus
{
    public const string DomainLevel = "domain";
    public const string HttpLevel = "http";

    private static readonly Lazy<IReadOnlyList<CorpusCase>> Cases = new(Load);

    public static IReadOnlyList<CorpusCase> All => Cases.Value;

    public static CorpusCase Named(string name) => All.Single(c => c.Name == name);

    public static TheoryData<string> NamesAt(string level)
    {
        var names = new TheoryData<string>();
        foreach (var @case in All.Where(c => c.Level == level))
        {
            names.Add(@case.Name);
        }

        return names;
    }

    private static List<CorpusCase> Load() =>
        File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Corpus", "admission_corpus.ndjson"))
            .Where(line => line.Length > 0)
            .Select(line => JsonSerializer.Deserialize<CorpusCase>(line, PlatformJson.Options)
                ?? throw new InvalidDataException($"Not a corpus case: {line}"))
            .ToList();
}

/// <summary>One corpus case; see Corpus/README.md for the fields.</summary>
public sealed record CorpusCase(
    string Name,
    string Level,
    string Endpoint,
    string ApiKey,
    string? ContentType,
    string PolicyRev,
    string? Body,
    string? BodyBase64,
    CorpusPad? Pad,
    int? BatchRepeat,
    IReadOnlyList<string>? Before,
    CorpusExpectation Expect)
{
    /// <summary>The exact request body: <c>body</c> or <c>body_base64</c>, then <c>pad</c>, then <c>batch_repeat</c>.</summary>
    public byte[] BodyBytes()
    {
        if (BodyBase64 is not null)
        {
            return Convert.FromBase64String(BodyBase64);
        }

        var body = Body ?? throw new InvalidDataException($"{Name}: neither body nor body_base64");
        if (Pad is not null)
        {
            body = body.Replace(Pad.Token, new string('x', Pad.Length), StringComparison.Ordinal);
        }

        if (BatchRepeat is { } count)
        {
            body = "[" + string.Join(",", Enumerable.Repeat(body, count)) + "]";
        }

        return Encoding.UTF8.GetBytes(body);
    }

    public override string ToString() => Name;
}

/// <summary>Replace <see cref="Token"/> in the body with <see cref="Length"/> 'x' characters (oversized bodies).</summary>
public sealed record CorpusPad(string Token, int Length);

/// <summary>
/// The answer: an HTTP status; for 200 a decision and its reason codes (or one result per batch item); for 403 the
/// refused event_class.
/// </summary>
public sealed record CorpusExpectation(
    int Status,
    string? Decision,
    IReadOnlyList<string>? ReasonCodes,
    string? EventClass,
    IReadOnlyList<CorpusItemExpectation>? Items);

public sealed record CorpusItemExpectation(string Decision, IReadOnlyList<string> ReasonCodes);

/// <summary>
/// The callers behind the corpus's symbolic <c>api_key</c> values that authenticate. <c>missing</c>, <c>empty</c>,
/// <c>unknown</c> and <c>revoked</c> must not authenticate at all (401).
/// </summary>
public static class CorpusActors
{
    public static IReadOnlyDictionary<string, ActorContext> ByApiKey { get; } = new Dictionary<string, ActorContext>(StringComparer.Ordinal)
    {
        ["traffic"] = Producer("corpus-traffic", PlatformRoles.TrafficProducer),
        ["context"] = Producer("corpus-context", PlatformRoles.ContextProducer),
        ["traffic_context"] = Producer("corpus-producer", PlatformRoles.TrafficProducer, PlatformRoles.ContextProducer),
        ["rtdl"] = Producer("corpus-rtdl", PlatformRoles.Producer("rtdl_decision")),
    };

    public static IReadOnlyList<string> Unauthenticated { get; } = ["missing", "empty", "unknown", "revoked"];

    private static ActorContext Producer(string principal, params string[] roles) =>
        new(ActorContext.SystemPrefix + ActorContext.Separator + principal, SourceType.System, AuthMode.ApiKey, roles.ToHashSet(StringComparer.Ordinal));
}
