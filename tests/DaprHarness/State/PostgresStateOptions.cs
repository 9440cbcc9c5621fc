using System.Globalization;
using DaprHarness.Components;
using DaprHarness.Resources;
using Npgsql;

namespace DaprHarness.State;

/// <summary>
/// The metadata of a <c>state.postgresql</c> v2 component, with components-contrib's defaults and checks
/// (state/postgresql/v2/metadata.go, common/authentication/postgresql/metadata.go), plus the two fields daprd
/// itself reads from every state store: <c>actorStateStore</c> and <c>keyPrefix</c>.
/// </summary>
public sealed record PostgresStateOptions(
    string NpgsqlConnectionString,
    int MaxPoolSize,
    int? ConnectionIdleLifetimeSeconds,
    string TablePrefix,
    string MetadataTableName,
    TimeSpan Timeout,
    TimeSpan? CleanupInterval,
    bool ActorStateStore,
    StateKeyPrefix KeyPrefix)
{
    /// <summary>Every field the harness accepts; Azure AD / AWS IAM authentication is refused.</summary>
    public static readonly IReadOnlyCollection<string> Fields =
    [
        "connectionString", "url", "host", "hostaddr", "port", "database", "user", "password", "sslRootCert",
        "timeout", "timeoutInSeconds", "tablePrefix", "metadataTableName", "cleanupInterval", "cleanupIntervalInSeconds",
        "maxConns", "connectionMaxIdleTime", "queryExecMode", "actorStateStore", "keyPrefix",
    ];

    private static readonly string[] QueryExecModes = ["cache_statement", "cache_describe", "describe_exec", "exec", "simple_protocol"];

    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    private static readonly TimeSpan DefaultCleanupInterval = TimeSpan.FromHours(1);

    /// <summary>
    /// The connection string of this component's own pool (maxConns, connectionMaxIdleTime applied). Statements are
    /// prepared once per connection and reused, as pgx's default query exec mode (cache_statement) does.
    /// </summary>
    public string PoolConnectionString
    {
        get
        {
            var builder = new NpgsqlConnectionStringBuilder(NpgsqlConnectionString)
            {
                MaxPoolSize = MaxPoolSize,
                MaxAutoPrepare = 64,
                AutoPrepareMinUsages = 2,
            };
            if (ConnectionIdleLifetimeSeconds is { } idle)
            {
                builder.ConnectionIdleLifetime = idle;
            }

            return builder.ConnectionString;
        }
    }

    /// <summary>The state table: <c>&lt;tablePrefix&gt;state</c> (the prefix may name a schema, e.g. <c>public.</c>).</summary>
    public string StateTable => TablePrefix + "state";

    public static PostgresStateOptions From(ComponentMetadata metadata)
    {
        var timeoutField = FieldOrAlias(metadata, "timeout", "timeoutInSeconds");
        var timeout = GoOrSecondsDuration(metadata, timeoutField) ?? DefaultTimeout;
        if (timeout < TimeSpan.FromSeconds(1))
        {
            throw metadata.Error(timeoutField, "invalid value for 'timeout': must be greater than 1s");
        }

        // Present but empty means the default; zero or negative disables the background cleanup.
        var cleanupField = FieldOrAlias(metadata, "cleanupInterval", "cleanupIntervalInSeconds");
        TimeSpan? cleanup = GoOrSecondsDuration(metadata, cleanupField) ?? DefaultCleanupInterval;
        if (cleanup <= TimeSpan.Zero)
        {
            cleanup = null;
        }

        if (metadata.Get("queryExecMode") is { } mode && !QueryExecModes.Contains(mode, StringComparer.Ordinal))
        {
            throw metadata.Error("queryExecMode", $"invalid queryExecMode metadata value: {mode}");
        }

        var rawPrefix = metadata.Get("keyPrefix");
        if (!StateKeyPrefix.TryParse(rawPrefix, out var keyPrefix))
        {
            throw metadata.Error("keyPrefix", StateKeyPrefix.IllegalMessage(rawPrefix!.ToLowerInvariant()));
        }

        // pgxpool's default pool size is max(4, CPUs); maxConns applies only when greater than 1.
        var maxConns = metadata.Number("maxConns", 0);
        var idle = GoOrSecondsDuration(metadata, "connectionMaxIdleTime");
        return new PostgresStateOptions(
            BuildConnectionString(metadata),
            maxConns > 1 ? maxConns : Math.Max(4, Environment.ProcessorCount),
            idle > TimeSpan.Zero ? Math.Max(1, (int)Math.Ceiling(idle.Value.TotalSeconds)) : null,
            metadata.Get("tablePrefix") ?? "",
            metadata.Get("metadataTableName") ?? "dapr_metadata",
            timeout,
            cleanup,
            IsTruthy(metadata.Get("actorStateStore")),
            keyPrefix);
    }

    /// <summary>
    /// The database to connect to, without pool settings: the connection string (alias <c>url</c>, pgx keyword/value or URL form) with the individual fields
    /// (host, port, ...) overriding its values, as components-contrib's buildConnectionString does.
    /// </summary>
    private static string BuildConnectionString(ComponentMetadata metadata)
    {
        var field = FieldOrAlias(metadata, "connectionString", "url");
        var raw = metadata.Get(field);
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(raw is null ? "" : PostgresConnectionString.ToNpgsql(raw));
        }
        catch (Exception e) when (e is FormatException or ArgumentException or UriFormatException)
        {
            throw metadata.Error(field, $"cannot be parsed: {e.Message}");
        }

        var overrides = false;
        void Override(string name, Action<string> apply)
        {
            if (metadata.Get(name) is { } value)
            {
                apply(value);
                overrides = true;
            }
        }

        Override("host", v => builder.Host = v);
        Override("hostaddr", v => builder.Host = v);
        Override("port", v => builder.Port = int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            ? port
            : throw metadata.Error("port", $"'{v}' is not a port number"));
        Override("database", v => builder.Database = v);
        Override("user", v => builder.Username = v);
        Override("password", v => builder.Password = v);
        Override("sslRootCert", v => builder.RootCertificate = v);
        if (raw is null && !overrides)
        {
            throw metadata.Error("connectionString", "is required (failed to build connection string)");
        }

        return builder.ConnectionString;
    }

    /// <summary>The field to read: the alias components-contrib also accepts (mapstructurealiases) when only it is set.</summary>
    private static string FieldOrAlias(ComponentMetadata metadata, string field, string alias) =>
        metadata.Get(field) is null && metadata.Get(alias) is not null ? alias : field;

    /// <summary>dapr/kit's duration decoding: a Go duration, else a whole number of seconds (which may be negative).</summary>
    private static TimeSpan? GoOrSecondsDuration(ComponentMetadata metadata, string name)
    {
        var raw = metadata.Get(name);
        if (raw is null)
        {
            return null;
        }

        if (GoDuration.TryParse(raw, out var value))
        {
            return value;
        }

        return long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(seconds)
            : throw metadata.Error(name, $"'{raw}' is not a duration");
    }

    /// <summary>dapr/kit strings.IsTruthy, which daprd uses for <c>actorStateStore</c>: anything else is false.</summary>
    private static bool IsTruthy(string? value) =>
        value?.Trim().ToLowerInvariant() is "y" or "yes" or "true" or "t" or "on" or "1";
}
