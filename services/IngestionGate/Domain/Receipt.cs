using System.Text.Json;
using System.Text.Json.Serialization;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Environments;
using Platform.Substrate.Pinning;

namespace IngestionGate.Domain;

public enum ReceiptDecision
{
    [JsonStringEnumMemberName("ADMIT")]
    Admit = 1,

    [JsonStringEnumMemberName("DUPLICATE")]
    Duplicate = 2,

    [JsonStringEnumMemberName("QUARANTINE")]
    Quarantine = 3,
}

/// <summary>
/// IG's answer for one event (CONTRACTS §4; schemas/ig/receipt.v1.schema.json), stored write-once at
/// <see cref="IgObjectKeys.Receipt"/>. Build it with <see cref="ForAdmitted"/>, <see cref="ForDuplicate"/> or
/// <see cref="ForQuarantine"/>; absent fields are left out of the JSON.
/// </summary>
public sealed record Receipt(
    string ReceiptId,
    ReceiptDecision Decision,
    string? EventId,
    string? EventType,
    string? EventClass,
    [property: JsonConverter(typeof(UtcTimestampJsonConverter))] DateTimeOffset? TsUtc,
    string? ManifestFingerprint,
    string? PlatformRunId,
    string? RunConfigDigest,
    PolicyRev PolicyRev,
    PlatformEnvironment Environment,
    string ServiceReleaseId,
    IgActor Actor,
    string? DedupeKey,
    string? PartitioningProfileId,
    string? PartitionKey,
    PayloadHash? PayloadHash,
    [property: JsonConverter(typeof(UtcTimestampJsonConverter))] DateTimeOffset? AdmittedAtUtc,
    EbRef? EbRef,
    IReadOnlyList<string> ReasonCodes,
    IReadOnlyList<EvidenceRef> EvidenceRefs)
{
    /// <summary>The ADMIT receipt of a committed admission (written right after the commit, or by the backfill).</summary>
    public static Receipt ForAdmitted(AdmissionRecord admitted, Provenance provenance)
    {
        ArgumentNullException.ThrowIfNull(admitted);
        ArgumentNullException.ThrowIfNull(provenance);
        return FromAdmission(ReceiptDecision.Admit, admitted, admitted.Actor, admitted.ReasonCodes, admitted.PolicyRev, provenance);
    }

    /// <summary>
    /// The DUPLICATE receipt for <paramref name="duplicate"/>, a resubmission of the committed <paramref name="original"/>
    /// (same dedupe_key, same payload_hash): it carries the original's eb_ref and admitted_at_utc, and the caller,
    /// notes and policy_rev of the resubmission.
    /// </summary>
    public static Receipt ForDuplicate(AdmissionRecord original, Admissible duplicate, PolicyRev policyRev, Provenance provenance)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(duplicate);
        ArgumentNullException.ThrowIfNull(policyRev);
        ArgumentNullException.ThrowIfNull(provenance);
        if (original.DedupeKey != duplicate.DedupeKey || original.PayloadHash != duplicate.PayloadHash)
        {
            throw new ArgumentException("Not a duplicate: the dedupe_key or the payload_hash differs (a different payload is PAYLOAD_HASH_MISMATCH).", nameof(duplicate));
        }

        return FromAdmission(ReceiptDecision.Duplicate, original, duplicate.Actor, duplicate.ReasonCodes, policyRev, provenance);
    }

    /// <summary>
    /// The QUARANTINE receipt, named after its quarantine: evidence_refs name the record (with the SHA-256 of
    /// <see cref="QuarantineRecord.ToUtf8Json"/>) and the payload object.
    /// </summary>
    public static Receipt ForQuarantine(Quarantine quarantine, QuarantineRecord record)
    {
        ArgumentNullException.ThrowIfNull(quarantine);
        ArgumentNullException.ThrowIfNull(record);
        if (quarantine.QuarantineId != record.QuarantineId)
        {
            throw new ArgumentException("The record belongs to another quarantine.", nameof(record));
        }

        var facts = quarantine.Event;
        var recordRef = EvidenceRef.For(
            EvidenceRefType.QuarantineRecord, IgObjectKeys.QuarantineRecord(quarantine.PlatformRunId, quarantine.QuarantineId), record.ToUtf8Json());
        return new Receipt(
            IgIds.QuarantineReceiptId(quarantine.QuarantineId),
            ReceiptDecision.Quarantine,
            facts?.EventId,
            facts?.EventType,
            facts?.EventClass,
            facts?.TsUtc,
            facts?.ManifestFingerprint,
            quarantine.PlatformRunId,
            record.Provenance.RunConfigDigest,
            record.PolicyRev,
            record.Provenance.Environment,
            record.Provenance.ServiceReleaseId,
            record.Actor,
            quarantine.DedupeKey,
            PartitioningProfileId: null,
            PartitionKey: null,
            quarantine.PayloadHash,
            AdmittedAtUtc: null,
            EbRef: null,
            quarantine.ReasonCodes,
            [recordRef, .. record.EvidenceRefs]);
    }

    /// <summary>The contract spelling of a decision (<c>ADMIT</c>).</summary>
    public static string WireName(ReceiptDecision decision) =>
        Enum.IsDefined(decision)
            ? JsonSerializer.Serialize(decision, PlatformJson.Options).Trim('"')
            : throw new ArgumentOutOfRangeException(nameof(decision), decision, "Not a receipt decision.");

    /// <summary>The stored bytes (compact JSON, snake_case).</summary>
    public byte[] ToUtf8Json() => JsonSerializer.SerializeToUtf8Bytes(this, PlatformJson.Options);

    private static Receipt FromAdmission(
        ReceiptDecision decision, AdmissionRecord admission, IgActor actor, IReadOnlyList<string> reasonCodes, PolicyRev policyRev, Provenance provenance)
    {
        if (admission is not { State: AdmissionState.Admitted, EbRef: { } ebRef, AdmittedAtUtc: { } admittedAt })
        {
            throw new InvalidOperationException($"Admission {admission.DedupeKey} is {admission.State}, not committed: there is no eb_ref to report yet.");
        }

        return new Receipt(
            IgIds.ReceiptId(decision, admission.DedupeKey),
            decision,
            admission.EventId,
            admission.EventType,
            admission.EventClass,
            admission.TsUtc,
            admission.ManifestFingerprint,
            admission.PlatformRunId,
            provenance.RunConfigDigest,
            policyRev,
            provenance.Environment,
            provenance.ServiceReleaseId,
            actor,
            admission.DedupeKey,
            admission.PartitioningProfileId,
            admission.PartitionKey,
            admission.PayloadHash,
            admittedAt,
            ebRef,
            reasonCodes,
            EvidenceRefs: []);
    }
}
