using System.Diagnostics;
using ModelFactory.Domain;
using ModelFactory.Training;
using Platform.Substrate.Environments;
using Platform.Testing;

namespace ModelFactory.Tests.Training;

/// <summary>
/// Trains once per test class: the synthetic signal dataset twice (for determinism) and its label-shuffled twin.
/// Training times are printed for the report, never asserted.
/// </summary>
public sealed class TrainedRuns
{
    public const int Rows = 20_000;
    public const int Seed = 7;
    public const string PlatformRunId = "platform_20261128T000000Z";

    public TrainedRuns()
    {
        var (profile, digest) = GateProfile.Load(SchemaContract.SchemasDirectory);
        Profile = profile;
        ProfileDigest = digest;
        Signal = Synthetic.WithSignal(Rows, Seed);
        (First, FirstElapsed) = Timed(() => TrainingPipeline.Run(Inputs(Signal)));
        (Second, _) = Timed(() => TrainingPipeline.Run(Inputs(Signal)));
        (Shuffled, _) = Timed(() => TrainingPipeline.Run(Inputs(Synthetic.WithShuffledLabels(Rows, Seed))));
    }

    public GateProfile Profile { get; }

    public string ProfileDigest { get; }

    public TrainingDataset Signal { get; }

    public TrainingOutcome First { get; }

    public TimeSpan FirstElapsed { get; }

    public TrainingOutcome Second { get; }

    public TrainingOutcome Shuffled { get; }

    public static IReadOnlyList<DatasetManifestRef> ManifestRefs { get; } =
        [new("dm_" + new string('a', 32), new string('a', 64))];

    public static MfProvenance Provenance { get; } = new("git:0123456789abcdef0123456789abcdef01234567", "cfg-1", new string('c', 64), PlatformEnvironment.LocalParity);

    public TrainingInputs Inputs(TrainingDataset dataset) =>
        new(PlatformRunId, dataset, ManifestRefs, TrainingConfig.Default, Profile, ProfileDigest, "1", Provenance);

    private static (TrainingOutcome Outcome, TimeSpan Elapsed) Timed(Func<TrainingOutcome> run)
    {
        var clock = Stopwatch.StartNew();
        var outcome = run();
        return (outcome, clock.Elapsed);
    }
}
