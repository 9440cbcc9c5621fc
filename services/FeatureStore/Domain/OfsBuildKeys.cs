using Platform.Substrate.BuildingBlocks;

namespace FeatureStore.Domain;

/// <summary>Where a build keeps its frozen inputs and its dataset: under the run, named by the build id.</summary>
public static class OfsBuildKeys
{
    /// <summary><c>&lt;run&gt;/ofs/builds/&lt;build_id&gt;/inputs/&lt;stream&gt;.keys</c>: the archive keys of the range, one per line.</summary>
    public static string ArchiveSnapshot(string platformRunId, string buildId, EventStream stream) =>
        $"{platformRunId}/ofs/builds/{buildId}/inputs/{stream.ShortName}.keys";

    /// <summary><c>&lt;run&gt;/ofs/builds/&lt;build_id&gt;/inputs/labels.json</c>: the run's label timeline as read.</summary>
    public static string LabelSnapshot(string platformRunId, string buildId) =>
        $"{platformRunId}/ofs/builds/{buildId}/inputs/labels.json";

    /// <summary><c>&lt;run&gt;/ofs/datasets/&lt;build_id&gt;/part-00000.parquet</c>.</summary>
    public static string DatasetPart(string platformRunId, string buildId, int part) =>
        $"{platformRunId}/ofs/datasets/{buildId}/part-{part:D5}.parquet";
}
