using System.Diagnostics.CodeAnalysis;
using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;
using ModelFactory.Domain;

namespace ModelFactory.Training;

/// <summary>A trained model as the bytes of its artefact (a normalized ML.NET model zip) and their SHA-256.</summary>
public sealed record ModelArtefact(ReadOnlyMemory<byte> Bytes, string Sha256)
{
    public const string Format = "mlnet.fasttree.binary.zip.v1";
}

/// <summary>
/// Gradient-boosted trees (ML.NET FastTree, binary, Platt-calibrated probabilities) trained deterministically: a fixed
/// seed, one thread, no disk transposition and no feature/row subsampling, so the same data and config give the same
/// trees. The saved zip is rewritten with fixed entry timestamps, which makes the artefact byte-identical too.
/// </summary>
public static class FastTreeModel
{
    /// <summary>The entry timestamp of every artefact (the zip format's epoch); ML.NET would stamp the wall clock.</summary>
    private static readonly DateTimeOffset FixedEntryTime = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static ModelArtefact Train(TrainingDataset train, TrainingConfig config)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(config);
        var ml = new MLContext(seed: config.Seed);
        var data = Load(ml, train);
        var trainer = ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
        {
            LabelColumnName = nameof(ModelInput.Label),
            FeatureColumnName = nameof(ModelInput.Features),
            NumberOfTrees = config.NumberOfTrees,
            NumberOfLeaves = config.NumberOfLeaves,
            MinimumExampleCountPerLeaf = config.MinimumExampleCountPerLeaf,
            LearningRate = config.LearningRate,
            NumberOfThreads = 1,
            Seed = config.Seed,
            FeatureFraction = 1,
            BaggingSize = 0,
            DiskTranspose = false,
        });
        var model = trainer.Fit(data);
        using var raw = new MemoryStream();
        ml.Model.Save(model, data.Schema, raw);
        var bytes = Normalize(raw.ToArray());
        return new ModelArtefact(bytes, Platform.Substrate.Pinning.Digests.Sha256Hex(bytes));
    }

    /// <summary>Calibrated probabilities of <paramref name="dataset"/>'s rows under the model in <paramref name="artefact"/>.</summary>
    public static IReadOnlyList<double> Score(ModelArtefact artefact, TrainingDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(artefact);
        ArgumentNullException.ThrowIfNull(dataset);
        var ml = new MLContext(seed: 0);
        using var stream = new MemoryStream(artefact.Bytes.ToArray(), writable: false);
        var model = ml.Model.Load(stream, out _);
        var scored = model.Transform(Load(ml, dataset));
        return [.. scored.GetColumn<float>("Probability").Select(p => (double)p)];
    }

    private static IDataView Load(MLContext ml, TrainingDataset dataset)
    {
        var schema = SchemaDefinition.Create(typeof(ModelInput));
        schema[nameof(ModelInput.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, dataset.FeatureCount);
        var rows = Enumerable.Range(0, dataset.Count)
            .Select(i => new ModelInput { Label = dataset.Label(i), Features = dataset.Features(i).ToArray() });
        return ml.Data.LoadFromEnumerable(rows, schema);
    }

    private static byte[] Normalize(byte[] zip)
    {
        using var output = new MemoryStream();
        using (var source = new ZipArchive(new MemoryStream(zip, writable: false), ZipArchiveMode.Read))
        using (var target = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in source.Entries)
            {
                var copy = target.CreateEntry(entry.FullName, CompressionLevel.Optimal);
                copy.LastWriteTime = FixedEntryTime;
                using var from = entry.Open();
                using var to = copy.Open();
                from.CopyTo(to);
            }
        }

        return output.ToArray();
    }

    /// <summary>The row shape ML.NET reads; the vector width is set per feature set at load time.</summary>
    [SuppressMessage("Performance", "CA1819:Properties should not return arrays", Justification = "ML.NET maps vector columns to arrays.")]
    public sealed class ModelInput
    {
        public bool Label { get; set; }

        [VectorType]
        public float[] Features { get; set; } = [];
    }
}
