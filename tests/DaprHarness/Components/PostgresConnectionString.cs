using Npgsql;

namespace DaprHarness.Components;

/// <summary>
/// Converts the connection strings Dapr's PostgreSQL components accept (pgx: libpq keyword/value or a
/// postgres:// URL) into an Npgsql connection string.
/// </summary>
public static class PostgresConnectionString
{
    public static string ToNpgsql(string dapr)
    {
        var builder = new NpgsqlConnectionStringBuilder();
        if (dapr.StartsWith("postgres://", StringComparison.Ordinal) || dapr.StartsWith("postgresql://", StringComparison.Ordinal))
        {
            var uri = new Uri(dapr);
            builder.Host = uri.Host;
            builder.Port = uri.Port > 0 ? uri.Port : 5432;
            var userInfo = uri.UserInfo.Split(':', 2);
            builder.Username = Uri.UnescapeDataString(userInfo[0]);
            if (userInfo.Length > 1)
            {
                builder.Password = Uri.UnescapeDataString(userInfo[1]);
            }

            builder.Database = uri.AbsolutePath.TrimStart('/');
            foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var kv = pair.Split('=', 2);
                Apply(builder, Uri.UnescapeDataString(kv[0]), kv.Length > 1 ? Uri.UnescapeDataString(kv[1]) : "");
            }

            return builder.ConnectionString;
        }

        if (dapr.Contains(';', StringComparison.Ordinal))
        {
            // Already in ADO.NET form.
            return new NpgsqlConnectionStringBuilder(dapr).ConnectionString;
        }

        foreach (var (key, value) in KeywordValues(dapr))
        {
            Apply(builder, key, value);
        }

        return builder.ConnectionString;
    }

    private static void Apply(NpgsqlConnectionStringBuilder builder, string key, string value)
    {
        switch (key)
        {
            case "host": builder.Host = value; break;
            case "hostaddr": builder.Host = value; break;
            case "port": builder.Port = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case "user": builder.Username = value; break;
            case "password": builder.Password = value; break;
            case "dbname" or "database": builder.Database = value; break;
            case "sslmode": builder.SslMode = SslModeOf(value); break;
            case "connect_timeout": builder.Timeout = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case "application_name": builder.ApplicationName = value; break;
            case "pool_max_conns": builder.MaxPoolSize = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            default: throw new FormatException($"connection string keyword '{key}' is not supported by the harness");
        }
    }

    private static SslMode SslModeOf(string value) => value switch
    {
        "disable" => SslMode.Disable,
        "allow" => SslMode.Allow,
        "prefer" => SslMode.Prefer,
        "require" => SslMode.Require,
        "verify-ca" => SslMode.VerifyCA,
        "verify-full" => SslMode.VerifyFull,
        _ => throw new FormatException($"unknown sslmode '{value}'"),
    };

    /// <summary>libpq keyword/value pairs: <c>key=value</c> separated by spaces; values may be single-quoted.</summary>
    private static IEnumerable<(string Key, string Value)> KeywordValues(string s)
    {
        var i = 0;
        while (i < s.Length)
        {
            while (i < s.Length && char.IsWhiteSpace(s[i]))
            {
                i++;
            }

            if (i >= s.Length)
            {
                yield break;
            }

            var eq = s.IndexOf('=', i);
            if (eq < 0)
            {
                throw new FormatException($"expected key=value near '{s[i..]}'");
            }

            var key = s[i..eq].Trim();
            i = eq + 1;
            var value = new System.Text.StringBuilder();
            if (i < s.Length && s[i] == '\'')
            {
                i++;
                while (i < s.Length && s[i] != '\'')
                {
                    if (s[i] == '\\' && i + 1 < s.Length)
                    {
                        i++;
                    }

                    value.Append(s[i++]);
                }

                i++;
            }
            else
            {
                while (i < s.Length && !char.IsWhiteSpace(s[i]))
                {
                    value.Append(s[i++]);
                }
            }

            yield return (key, value.ToString());
        }
    }
}
