using System.Text.Json.Serialization;
using Platform.Substrate.Pinning;

namespace IngestionGate.Domain;

public enum EvidenceRefType
{
    /// <summary>A quarantine record (<c>&lt;run&gt;/ig/quarantine/&lt;quarantine_id&gt;.json</c>).</summary>
    [JsonStringEnumMemberName("ig_quarantine_record")]
    QuarantineRecord = 1,

    /// <summary>The payload of a quarantined event, kept apart from the record (<c>&lt;run&gt;/ig/quarantine_payloads/…</c>).</summary>
    [JsonStringEnumMemberName("ig_quarantine_payload")]
    QuarantinePayload = 2,
}

/// <summary><c>{ref_type, ref_id, sha256}</c>: an object-store key and the SHA-256 of its bytes, so the evidence verifies by digest.</summary>
public sealed record EvidenceRef(EvidenceRefType RefType, string RefId, string Sha256)
{
    public static EvidenceRef For(EvidenceRefType refType, string objectKey, ReadOnlySpan<byte> content) =>
        new(refType, objectKey, Digests.Sha256Hex(content));
}
