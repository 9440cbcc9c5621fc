using System.Security.Cryptography;
using System.Text;
using Deploy.Tests.Infrastructure;

namespace Deploy.Tests;

/// <summary>
/// No secret is committed (seed §3): every file git tracks or would track is scanned, and each finding fails the test
/// with file:line and the rule. The local_parity secrets are generated outside the repository by
/// deploy/local_parity/make-secrets.js. The seeded cases prove each rule fires (built at run time, so the
/// repository never holds them).
/// </summary>
public sealed class SecretScanTests
{
    [Fact]
    public void The_repository_holds_no_secrets()
    {
        var files = SecretScanner.RepositoryFiles();
        Assert.Contains("components/local_parity/secretstore.yaml", files);

        var findings = SecretScanner.ScanRepository().Select(f => f.ToString()).ToList();

        Assert.True(findings.Count == 0, "secrets in the repository:\n" + string.Join('\n', findings));
    }

    [Fact]
    public void No_secrets_file_or_key_file_is_in_the_repository()
    {
        var suspicious = SecretScanner.RepositoryFiles().Where(f =>
        {
            var name = Path.GetFileName(f);
            return name is "secrets.json" or "secret.json" or "id_rsa" or "id_ed25519" or ".env"
                || name.StartsWith(".env.", StringComparison.Ordinal)
                || name.EndsWith(".pem", StringComparison.Ordinal) || name.EndsWith(".key", StringComparison.Ordinal)
                || name.EndsWith(".pfx", StringComparison.Ordinal) || name.EndsWith(".p12", StringComparison.Ordinal);
        });

        Assert.Empty(suspicious);
    }

    public static TheoryData<string, string, string> Seeded => new()
    {
        { "docs/notes.md", "-----BEGIN " + "RSA PRIVATE KEY-----", "private key block" },
        { "docs/notes.md", "-----BEGIN " + "PRIVATE KEY-----", "private key block" },
        { "tools/upload.sh", "key=AKIA" + "Q2X7JH4KD9LMN3PV", "AWS access key id" },
        { "tools/upload.sh", "aws_secret_access_key = " + Random(30)[..40].Replace('_', 'x').Replace('-', 'y'), "AWS secret access key" },
        { "README.md", "token ghp_" + new string('a', 18) + new string('B', 18), "GitHub token" },
        { "services/X/appsettings.json", "\"Auth\": \"eyJhbGciOiJIUzI1NiJ9" + ".eyJzdWIiOiJhbGljZSJ9" + ".c2lnbmF0dXJlLXZhbHVl\"", "JSON Web Token" },
        { "deploy/values.yaml", "  password: hunter2hunter2", "credential 'password' has a literal value" },
        { "deploy/values.yaml", "db_password: \"my-db-pass\"", "credential 'db_password' has a literal value" },
        { "services/X/appsettings.json", "  \"ApiKey\": \"" + Random(24) + "\",", "credential 'ApiKey' has a literal value" },
        { "deploy/.env", "export PLATFORM_TOKEN=" + Random(24), "credential 'PLATFORM_TOKEN' has a literal value" },
        { "components/dev/ig-admission.yaml", "    - name: connectionString\n      value: host=db password=pw", "component metadata 'connectionString' has a literal value" },
        { "components/prod/objectstore.yaml", "    - name: secretKey\n      value: plain", "component metadata 'secretKey' has a literal value" },
        { "components/dev/objectstore.yaml", "      value: " + Random(30), "high-entropy string" },
        { "deploy/k8s/base/apps/ig.yaml", "        - name: X\n          value: " + Random(40), "high-entropy string" },
        { "components/prod/objectstore.yaml", "      value: " + Convert.ToHexStringLower(Bytes(20)), "high-entropy string" },
    };

    [Theory]
    [MemberData(nameof(Seeded))]
    public void A_seeded_secret_is_reported_with_its_line(string file, string content, string rule)
    {
        var text = "first line\n" + content + "\nlast line\n";

        var finding = Assert.Single(SecretScanner.Scan(file, Encoding.UTF8.GetBytes(text)), f => f.Rule.StartsWith(rule, StringComparison.Ordinal));

        Assert.Equal(file, finding.File);
        Assert.Equal(content.Contains('\n', StringComparison.Ordinal) && rule == "high-entropy string" ? 3 : 2, finding.Line);
        Assert.DoesNotContain(content.Split('\n')[^1].Trim(), finding.ToString(), StringComparison.Ordinal);
    }

    public static TheoryData<string, string> Clean => new()
    {
        { "components/prod/ig-admission.yaml", "    - name: connectionString\n      secretKeyRef:\n        name: postgres-connection-string" },
        { "components/local_parity/secretstore.yaml", "    - name: secretsFile\n      envRef: PLATFORM_SECRETS_FILE" },
        { "deploy/k8s/base/apps/ig.yaml", "        dapr.io/api-token-secret: dapr-api-token" },
        { "deploy/local_parity/docker-compose.yaml", "      POSTGRES_PASSWORD: ${PLATFORM_PG_PASSWORD:?set PLATFORM_PG_PASSWORD}" },
        { "deploy/k8s/overlays/prod/kustomization.yaml", "    digest: sha256:" + new string('0', 64) },
        { "components/dev/eb-traffic-in-rtdl.yaml", "      value: rtdl-traffic-dev-consumer-name" },
        { "components/dapr-component-fields.yaml", "# from https://docs.dapr.io/developing-applications/building-blocks/state-management/howto-share-state/" },
        { "deploy/k8s/overlays/prod/kustomization.yaml", "    digest: sha256:" + Convert.ToHexStringLower(SHA256.HashData([1, 2, 3])) },
        { "schemas/labels/label_assertion.v0.schema.json", "    \"token\": {" },
        { "services/X/Foo.cs", "var password = config[\"password\"];" },
    };

    [Theory]
    [MemberData(nameof(Clean))]
    public void References_names_and_placeholders_are_not_secrets(string file, string content)
    {
        Assert.Empty(SecretScanner.Scan(file, Encoding.UTF8.GetBytes(content)));
    }

    [Fact]
    public void Binary_files_are_not_scanned()
    {
        var bytes = Encoding.UTF8.GetBytes("-----BEGIN " + "PRIVATE KEY-----").Append((byte)0).ToArray();

        Assert.Empty(SecretScanner.Scan("assets/logo.png", bytes));
    }

    // Fixed bytes that look random (SHA-256 chain): the same seeded cases on every run.
    private static byte[] Bytes(int count)
    {
        var bytes = new List<byte>();
        for (var block = SHA256.HashData(BitConverter.GetBytes(count)); bytes.Count < count; block = SHA256.HashData(block))
        {
            bytes.AddRange(block);
        }

        return [.. bytes.Take(count)];
    }

    private static string Random(int count) => Convert.ToBase64String(Bytes(count)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
