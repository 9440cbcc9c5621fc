using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Json.Schema;
using Npgsql;

namespace IngestionGate.Benchmark;

/// <summary>
/// The ideal gateway, (a) of the benchmark: the least a gateway with IG's front-door duties must do on this machine.
/// API-key check (SHA-256 + constant-time compare against one key), JSON parse, envelope and payload schema
/// validation against the same contract files as IG, and an insert-if-absent of every valid event straight into
/// PostgreSQL, concurrent requests grouped into one <c>INSERT ... ON CONFLICT DO NOTHING</c> per micro-batch.
/// No receipts, no event bus, no sidecar: what IG does beyond this is what the ratio prices.
/// </summary>
internal static class IdealGateway
{
    public const string TableName = "bench_ideal_events";
    private const string ApiKeyHeader = "X-Api-Key";
    private const int MaxBatchItems = 500;

    public static async Task<int> RunAsync(string url, string apiKey, string pgConnection, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls(url);
        await using var dataSource = NpgsqlDataSource.Create(pgConnection);
        // Fresh every start, so every run inserts into an empty table of its own.
        await ExecuteAsync(dataSource, $"DROP TABLE IF EXISTS {TableName}", cancellationToken);
        await ExecuteAsync(dataSource,
            $"CREATE TABLE {TableName} (dedupe_key text PRIMARY KEY, platform_run_id text NOT NULL, event_type text NOT NULL, " +
            "event_id text NOT NULL, envelope jsonb NOT NULL, admitted_at timestamptz NOT NULL DEFAULT now())",
            cancellationToken);

        var expectedKey = SHA256.HashData(Encoding.UTF8.GetBytes(apiKey));
        var validator = EnvelopeValidator.Load(Path.Combine(AppContext.BaseDirectory, "schemas"));
        var writer = new InsertBatcher(dataSource);
        await using var app = builder.Build();
        app.MapGet("/healthz", () => TypedResults.Ok());
        app.MapPost("/v1/events", async (HttpRequest request, CancellationToken ct) =>
        {
            if (!Authorized(request, expectedKey))
            {
                return Results.StatusCode(StatusCodes.Status401Unauthorized);
            }

            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: ct);
            var row = validator.Check(document.RootElement);
            if (row is null)
            {
                return Results.Json(new Decided("QUARANTINE"));
            }

            var inserted = await writer.SubmitAsync([row], ct);
            return Results.Json(new Decided(inserted[0] ? "ADMIT" : "DUPLICATE"));
        });
        app.MapPost("/v1/events:batch", async (HttpRequest request, CancellationToken ct) =>
        {
            if (!Authorized(request, expectedKey))
            {
                return Results.StatusCode(StatusCodes.Status401Unauthorized);
            }

            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: ct);
            var items = document.RootElement;
            if (items.ValueKind != JsonValueKind.Array || items.GetArrayLength() is 0 or > MaxBatchItems)
            {
                return Results.StatusCode(StatusCodes.Status400BadRequest);
            }

            var checkedRows = items.EnumerateArray().Select(validator.Check).ToList();
            var inserted = await writer.SubmitAsync([.. checkedRows.OfType<EventRow>()], ct);
            var results = new Decided[checkedRows.Count];
            var next = 0;
            for (var i = 0; i < checkedRows.Count; i++)
            {
                results[i] = new Decided(checkedRows[i] is null ? "QUARANTINE" : inserted[next++] ? "ADMIT" : "DUPLICATE");
            }

            return Results.Json(new BatchDecided(results));
        });

        writer.Start(cancellationToken);
        await app.RunAsync(cancellationToken);
        // A benchmark run writes a million rows or so: leave nothing behind in the shared database.
        await ExecuteAsync(dataSource, $"DROP TABLE IF EXISTS {TableName}", CancellationToken.None);
        return 0;
    }

    private static bool Authorized(HttpRequest request, byte[] expectedKey)
    {
        if (!request.Headers.TryGetValue(ApiKeyHeader, out var values) || values.Count != 1 || string.IsNullOrEmpty(values[0]))
        {
            return false;
        }

        Span<byte> presented = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(values[0]!), presented);
        return CryptographicOperations.FixedTimeEquals(presented, expectedKey);
    }

    private static async Task ExecuteAsync(NpgsqlDataSource dataSource, string sql, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private sealed record Decided(string Decision);

    private sealed record BatchDecided(IReadOnlyList<Decided> Results);
}

/// <summary>One valid event, ready to insert: its dedupe key is (platform_run_id, event_type, event_id).</summary>
internal sealed record EventRow(string DedupeKey, string PlatformRunId, string EventType, string EventId, string Envelope);

/// <summary>The envelope schema plus one payload schema per (event_type, schema_version), as IG's schema policy names them.</summary>
internal sealed class EnvelopeValidator
{
    private static readonly EvaluationOptions FlagOnly = new() { OutputFormat = OutputFormat.Flag };
    private readonly JsonSchema _envelope;
    private readonly Dictionary<string, JsonSchema> _payloads;

    private EnvelopeValidator(JsonSchema envelope, Dictionary<string, JsonSchema> payloads) => (_envelope, _payloads) = (envelope, payloads);

    public static EnvelopeValidator Load(string schemasDirectory)
    {
        var options = new BuildOptions { SchemaRegistry = new SchemaRegistry() };
        var envelope = JsonSchema.FromText(File.ReadAllText(Path.Combine(schemasDirectory, "event_envelope.v1.schema.json")), options);
        // payloads/<event_type>.<schema_version>.schema.json
        var payloads = Directory.GetFiles(Path.Combine(schemasDirectory, "payloads"), "*.schema.json").ToDictionary(
            file => Path.GetFileName(file)[..^".schema.json".Length],
            file => JsonSchema.FromText(File.ReadAllText(file), options),
            StringComparer.Ordinal);
        return new EnvelopeValidator(envelope, payloads);
    }

    /// <summary>The row to insert, or null when the envelope or its payload fails its schema.</summary>
    public EventRow? Check(JsonElement envelope)
    {
        if (!_envelope.Evaluate(envelope, FlagOnly).IsValid
            || !envelope.TryGetProperty("payload", out var payload)
            || Text(envelope, "schema_version") is not { } version
            || Text(envelope, "platform_run_id") is not { } runId
            || !_payloads.TryGetValue($"{Text(envelope, "event_type")}.{version}", out var payloadSchema)
            || !payloadSchema.Evaluate(payload, FlagOnly).IsValid)
        {
            return null;
        }

        var eventType = Text(envelope, "event_type")!;
        var eventId = Text(envelope, "event_id")!;
        return new EventRow($"{runId}/{eventType}/{eventId}", runId, eventType, eventId, envelope.GetRawText());
    }

    private static string? Text(JsonElement envelope, string name) =>
        envelope.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
