using System.Text.Json;
using System.Text.Json.Nodes;

namespace Platformctl.Secrets;

/// <summary>
/// The local_parity secrets file (flat JSON object of string secrets, read by Dapr's <c>secretstores.local.file</c>),
/// generated outside the repo by deploy/local_parity/make-secrets.js. Rewritten atomically (temp file + rename in the
/// same folder) and never readable by other users.
/// </summary>
public sealed class LocalSecretsFile
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly JsonObject _secrets;

    private LocalSecretsFile(string path, JsonObject secrets)
    {
        Path = path;
        _secrets = secrets;
    }

    public string Path { get; }

    public static LocalSecretsFile Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new RotationException($"secrets file '{path}' not found (deploy/local_parity/backends-up.sh generates it)");
        }

        return JsonNode.Parse(File.ReadAllText(path)) is JsonObject secrets
            ? new LocalSecretsFile(path, secrets)
            : throw new RotationException($"secrets file '{path}' is not a JSON object");
    }

    /// <summary>A secret's string value, or null when the file has none by that name.</summary>
    public string? Get(string name) =>
        _secrets[name] switch
        {
            null => null,
            JsonValue value when value.TryGetValue<string>(out var text) => text,
            _ => throw new RotationException($"secret '{name}' in '{Path}' is not a string"),
        };

    public void Set(string name, string value) => _secrets[name] = value;

    public void Save()
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!;
        var temp = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(Path)}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        try
        {
            using (var stream = new FileStream(temp, options))
            using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                _secrets.WriteTo(writer);
            }

            File.AppendAllText(temp, "\n");
            File.Move(temp, Path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}

/// <summary>A rotation cannot be done as asked; the message says why, never a secret value.</summary>
public sealed class RotationException(string message) : Exception(message);
