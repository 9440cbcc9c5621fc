using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CaseLabels.Domain;
using Microsoft.Extensions.DependencyInjection;
using Platform.Substrate.BuildingBlocks;

namespace CaseLabels.Infrastructure;

/// <summary>A subject's timeline head: the label_assertion_ids in the order they were appended. It only ever grows.</summary>
public sealed record SubjectTimeline(string PlatformRunId, string EventId, IReadOnlyList<string> LabelAssertionIds);

/// <summary>How many index entries one bucket of a run's label index holds.</summary>
public sealed record RunBucketHead(long Count);

/// <summary>One entry of a run's label index.</summary>
public sealed record RunIndexEntry(string LabelAssertionId, string EventId);

/// <summary>Where a read of a run's labels continues: a bucket and a position in it.</summary>
public readonly record struct RunCursor(int Bucket, long Seq)
{
    public static RunCursor Start => new(0, 0);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Bucket:x2}.{Seq}");

    public static bool TryParse(string? text, out RunCursor cursor)
    {
        cursor = Start;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot != 2
            || !int.TryParse(text.AsSpan(0, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var bucket)
            || !long.TryParse(text.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
        {
            return false;
        }

        cursor = new RunCursor(bucket, seq);
        return true;
    }
}

/// <summary>
/// The Label Store in <c>cm-store</c>. Every accepted assertion is one atomic state transaction:
/// <list type="bullet">
/// <item><c>label/assertion/&lt;label_assertion_id&gt;</c>: the record, inserted with first-write (never overwritten; a
/// second insert fails the whole transaction, which is how concurrent identical assertions collapse into one);</item>
/// <item><c>label/subject/&lt;platform_run_id&gt;/&lt;event_id&gt;</c>: the subject's timeline head, inserted or extended
/// under its ETag, so two appends to one subject can never both claim the same position;</item>
/// <item><c>label/run/&lt;platform_run_id&gt;/&lt;bucket&gt;</c> and <c>…/&lt;bucket&gt;/&lt;seq&gt;</c>: a per-run index in
/// <see cref="RunBuckets"/> buckets (by event_id hash, so concurrent writers of one run rarely meet on one counter), counter under its ETag, entry first-write.</item>
/// </list>
/// A transaction that loses a race applies nothing and the writer re-decides from fresh reads.
/// </summary>
public sealed class LabelStore([FromKeyedServices(PlatformNames.Components.CmStore)] DaprStateStore state)
{
    public const int RunBuckets = 256;

    public static string AssertionKey(string labelAssertionId) => $"label/assertion/{labelAssertionId}";

    public static string SubjectKey(LabelSubjectKey subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        return $"label/subject/{subject.PlatformRunId}/{subject.EventId}";
    }

    public static string RunBucketKey(string platformRunId, int bucket) =>
        string.Create(CultureInfo.InvariantCulture, $"label/run/{platformRunId}/{bucket:x2}");

    public static string RunEntryKey(string platformRunId, int bucket, long seq) =>
        string.Create(CultureInfo.InvariantCulture, $"label/run/{platformRunId}/{bucket:x2}/{seq:D12}");

    /// <summary>The run-index bucket of a subject: the first byte of SHA-256(event_id).</summary>
    public static int BucketOf(LabelSubjectKey subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        return SHA256.HashData(Encoding.UTF8.GetBytes(subject.EventId))[0];
    }

    /// <summary>
    /// In one read: the record already stored under <paramref name="labelAssertionId"/> (null when none), the subject's
    /// timeline head and its run-index bucket head, with the ETags an append must still find.
    /// </summary>
    public async Task<AppendBase> ReadAppendBaseAsync(string labelAssertionId, LabelSubjectKey subject, CancellationToken cancellationToken)
    {
        var (assertionKey, subjectKey, bucketKey) = (AssertionKey(labelAssertionId), SubjectKey(subject), RunBucketKey(subject.PlatformRunId, BucketOf(subject)));
        var entries = (await state.GetBulkAsync<JsonElement>([assertionKey, subjectKey, bucketKey], cancellationToken))
            .ToDictionary(e => e.Key, StringComparer.Ordinal);
        return new AppendBase(
            subject,
            entries.TryGetValue(assertionKey, out var record) ? Read<StoredLabel>(record).Value : null,
            entries.TryGetValue(subjectKey, out var timeline) ? Read<SubjectTimeline>(timeline) : null,
            entries.TryGetValue(bucketKey, out var bucket) ? Read<RunBucketHead>(bucket) : null);
    }

    /// <summary>
    /// Appends <paramref name="record"/> at <see cref="AppendBase.NextSubjectSeq"/>; false when another writer moved
    /// either head or recorded the same assertion first (nothing was applied).
    /// </summary>
    public Task<bool> TryAppendAsync(StoredLabel record, AppendBase heads, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(heads);
        if (record.SubjectSeq != heads.NextSubjectSeq || record.Subject != heads.Subject)
        {
            throw new ArgumentException("The record is not the next entry of the timeline these heads were read from.", nameof(record));
        }

        var subjectKey = SubjectKey(heads.Subject);
        var ids = (heads.Timeline?.Value.LabelAssertionIds ?? []).Append(record.LabelAssertionId).ToList();
        var timeline = new SubjectTimeline(record.PlatformRunId, record.EventId, ids);
        var bucket = BucketOf(heads.Subject);
        var bucketKey = RunBucketKey(record.PlatformRunId, bucket);
        var seq = heads.Bucket?.Value.Count ?? 0;
        var writes = new List<StateWrite>
        {
            StateWrite.Insert(AssertionKey(record.LabelAssertionId), record),
            heads.Timeline is { } existing ? StateWrite.Upsert(subjectKey, timeline, existing.ETag) : StateWrite.Insert(subjectKey, timeline),
            heads.Bucket is { } head ? StateWrite.Upsert(bucketKey, new RunBucketHead(seq + 1), head.ETag) : StateWrite.Insert(bucketKey, new RunBucketHead(1)),
            StateWrite.Insert(RunEntryKey(record.PlatformRunId, bucket, seq), new RunIndexEntry(record.LabelAssertionId, record.EventId)),
        };
        return state.TryExecuteTransactionAsync(writes, cancellationToken);
    }

    /// <summary>The subject's timeline in append order; empty when nothing was recorded about it.</summary>
    public async Task<IReadOnlyList<StoredLabel>> ReadTimelineAsync(LabelSubjectKey subject, CancellationToken cancellationToken)
    {
        var timeline = await state.GetAsync<SubjectTimeline>(SubjectKey(subject), cancellationToken);
        return timeline is null ? [] : await ReadRecordsAsync(timeline.Value.LabelAssertionIds, cancellationToken);
    }

    /// <summary>
    /// Up to <paramref name="limit"/> labels of a run from <paramref name="from"/> on, bucket by bucket in index order,
    /// and where to continue (null when every bucket was read to its end).
    /// </summary>
    public async Task<(IReadOnlyList<StoredLabel> Labels, RunCursor? Next)> ReadRunAsync(
        string platformRunId, RunCursor from, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var headKeys = Enumerable.Range(from.Bucket, RunBuckets - from.Bucket).Select(b => RunBucketKey(platformRunId, b)).ToList();
        var heads = (await state.GetBulkAsync<RunBucketHead>(headKeys, cancellationToken)).ToDictionary(e => e.Key, e => e.Value.Count, StringComparer.Ordinal);

        // The page's index keys across buckets first, then two bulk reads: the index entries, then their records.
        var keys = new List<string>(limit);
        RunCursor? next = null;
        for (var bucket = from.Bucket; bucket < RunBuckets; bucket++)
        {
            var count = heads.GetValueOrDefault(RunBucketKey(platformRunId, bucket));
            var seq = bucket == from.Bucket ? from.Seq : 0;
            var take = (int)Math.Clamp(count - seq, 0, limit - keys.Count);
            keys.AddRange(Enumerable.Range(0, take).Select(i => RunEntryKey(platformRunId, bucket, seq + i)));
            seq += take;
            if (keys.Count == limit)
            {
                next = seq < count ? new RunCursor(bucket, seq) : bucket + 1 < RunBuckets ? new RunCursor(bucket + 1, 0) : null;
                break;
            }
        }

        var entries = (await state.GetBulkAsync<RunIndexEntry>(keys, cancellationToken)).ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        var ids = keys.Select(key => entries.TryGetValue(key, out var entry)
            ? entry.LabelAssertionId
            : throw new InvalidDataException($"cm-store run index entry '{key}' is missing below its bucket count.")).ToList();
        return (await ReadRecordsAsync(ids, cancellationToken), next);
    }

    // The bulk read hands back raw JSON; each key's value is read as the type that key holds.
    private static StateEntry<T> Read<T>(StateEntry<JsonElement> entry) =>
        new(entry.Key, entry.Value.Deserialize<T>(PlatformJson.Options) ?? throw new InvalidDataException($"State key '{entry.Key}' holds JSON null."), entry.ETag);

    private async Task<IReadOnlyList<StoredLabel>> ReadRecordsAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var keys = ids.Select(AssertionKey).ToList();
        var records = (await state.GetBulkAsync<StoredLabel>(keys, cancellationToken)).ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        return keys.Select(key => records.TryGetValue(key, out var record)
            ? record
            : throw new InvalidDataException($"cm-store holds an index entry for '{key}' but not the record.")).ToList();
    }
}

/// <summary>
/// What an append builds on: the record already stored under the assertion's id (its dedupe), the subject's timeline
/// head and its run-index bucket head (each null when absent).
/// </summary>
public sealed record AppendBase(LabelSubjectKey Subject, StoredLabel? Existing, StateEntry<SubjectTimeline>? Timeline, StateEntry<RunBucketHead>? Bucket)
{
    public int NextSubjectSeq => Timeline?.Value.LabelAssertionIds.Count ?? 0;
}
