using System.Text.Json;
using System.Text.Json.Serialization;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Pinning;

namespace ModelFactory.Domain;

/// <summary>
/// The versioned governance profile an EvalReport is gated by (<c>schemas/mf/gate_profile.v0.json</c>, shape in
/// <c>gate_profile.v0.schema.json</c>). Its digest (H of the file's canonical JSON) is recorded with every gate
/// decision, so a changed profile is visible in the evidence.
/// </summary>
public sealed record GateProfile(
    string SchemaVersion,
    string ProfileId,
    string ProfileVersion,
    double MinAucRoc,
    double MinPrAuc,
    double MaxLogLoss,
    double MaxExpectedCalibrationError,
    long MinTrainPositives,
    long MinEvalPositives)
{
    public const string Version = "mf.gate_profile.v0";
    public const string FileName = "gate_profile.v0.json";

    /// <summary>Unknown members and missing members are errors: a profile is read exactly as written.</summary>
    private static readonly JsonSerializerOptions StrictOptions = new(PlatformJson.Options)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectRequiredConstructorParameters = true,
    };

    /// <summary>Parses a profile file; a file that is not a complete v0 profile is refused.</summary>
    public static (GateProfile Profile, string Digest) Parse(ReadOnlyMemory<byte> utf8Json)
    {
        var digest = Digests.Sha256Hex(CanonicalJson.Canonicalize(utf8Json));
        var profile = JsonSerializer.Deserialize<GateProfile>(utf8Json.Span, StrictOptions)
            ?? throw new FormatException("The gate profile is null.");
        if (profile.SchemaVersion != Version || string.IsNullOrEmpty(profile.ProfileId) || string.IsNullOrEmpty(profile.ProfileVersion))
        {
            throw new FormatException($"The gate profile must be a {Version} with a profile_id and a profile_version.");
        }

        return (profile, digest);
    }

    public static (GateProfile Profile, string Digest) Load(string schemasDirectory) =>
        Parse(File.ReadAllBytes(Path.Combine(schemasDirectory, "mf", FileName)));
}

/// <summary>One gate check: the observed metric, the profile's bound, and whether it held.</summary>
public sealed record GateCheck(string Check, double Observed, string Bound, double Limit, bool Passed);

/// <summary>The gate's verdict, spelled PASS / FAIL on the wire as in CONTRACTS §7.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<GateDecision>))]
public enum GateDecision
{
    [JsonStringEnumMemberName("PASS")]
    Pass = 1,

    [JsonStringEnumMemberName("FAIL")]
    Fail = 2,
}

/// <summary>The gate as recorded in the EvalReport: which profile, its digest, every check and the decision.</summary>
public sealed record GateResult(string ProfileId, string ProfileVersion, string ProfileDigest, GateDecision Decision, IReadOnlyList<GateCheck> Checks)
{
    /// <summary>PASS only if every check holds; a metric that could not be computed (NaN) fails its check.</summary>
    public static GateResult Evaluate(GateProfile profile, string profileDigest, EvalMetrics metrics, SplitRecord split)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(split);
        GateCheck[] checks =
        [
            Min("train_positives", split.TrainPositives, profile.MinTrainPositives),
            Min("eval_positives", metrics.Positives, profile.MinEvalPositives),
            Min("auc_roc", metrics.AucRoc, profile.MinAucRoc),
            Min("pr_auc", metrics.PrAuc, profile.MinPrAuc),
            Max("log_loss", metrics.LogLoss, profile.MaxLogLoss),
            Max("expected_calibration_error", metrics.Calibration.ExpectedCalibrationError, profile.MaxExpectedCalibrationError),
        ];
        return new GateResult(
            profile.ProfileId,
            profile.ProfileVersion,
            profileDigest,
            checks.All(c => c.Passed) ? GateDecision.Pass : GateDecision.Fail,
            checks);

        static GateCheck Min(string name, double observed, double limit) => new(name, observed, "min", limit, observed >= limit);

        static GateCheck Max(string name, double observed, double limit) => new(name, observed, "max", limit, observed <= limit);
    }
}
