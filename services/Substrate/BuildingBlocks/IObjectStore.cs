namespace Platform.Substrate.BuildingBlocks;

/// <summary>The durable object store (receipts, quarantine, facts, manifests, bundles) behind the S3 binding.</summary>
public interface IObjectStore
{
    /// <summary>
    /// Writes <paramref name="content"/> at <paramref name="key"/> unless an object is already there.
    /// Writing identical bytes again is a no-op (<see cref="ObjectWriteOutcome.AlreadyPresent"/>); different bytes
    /// under an existing key throw <see cref="ObjectConflictException"/>: evidence is never overwritten.
    /// </summary>
    Task<ObjectWriteOutcome> CreateIfAbsentAsync(string key, ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken);

    /// <summary>
    /// Writes <paramref name="content"/> at <paramref name="key"/> without looking first (one round trip instead of two).
    /// Only for a key whose bytes are fully determined by the key itself, so a second write carries identical bytes and
    /// replacing is indistinguishable from keeping; anything else uses <see cref="CreateIfAbsentAsync"/>. Stores without
    /// a cheaper path fall back to it.
    /// </summary>
    Task PutIdenticalAsync(string key, ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken) =>
        CreateIfAbsentAsync(key, content, contentType, cancellationToken);

    /// <summary>The object's bytes, or null when no object exists at <paramref name="key"/>.</summary>
    Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>Keys under <paramref name="prefix"/>, in lexical order, following pagination to the end.</summary>
    Task<IReadOnlyList<string>> ListKeysAsync(string prefix, CancellationToken cancellationToken);

    Task DeleteAsync(string key, CancellationToken cancellationToken);

    /// <summary>A short-lived GET URL for the object.</summary>
    Task<Uri> PresignGetAsync(string key, TimeSpan timeToLive, CancellationToken cancellationToken);
}

public enum ObjectWriteOutcome
{
    Created,
    AlreadyPresent,
}

public sealed class ObjectConflictException(string key)
    : InvalidOperationException($"An object with different content already exists at '{key}'; evidence is write-once.")
{
    public string Key { get; } = key;
}
