using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.IntegrationTests.Infrastructure;

namespace Platform.Substrate.IntegrationTests;

/// <summary>
/// <see cref="DaprSecrets"/> through app ig's sidecar on the local file secret store.
/// components/local_parity/config.yaml denies every secret by default and allows the identity material only.
/// </summary>
public sealed class SecretsTests(IgSidecar ig) : IClassFixture<IgSidecar>
{
    [Fact]
    public async Task An_allowed_secret_is_read_as_generated()
    {
        var value = await ig.Secrets.GetSecretAsync("api-keys", CancellationToken.None);

        Assert.Equal(Backends.Secrets["api-keys"], value);
    }

    [Fact]
    public async Task A_secret_outside_the_configuration_scopes_is_refused_with_a_clear_exception()
    {
        var error = await Assert.ThrowsAsync<SecretAccessDeniedException>(
            () => ig.Secrets.GetSecretAsync("postgres-connection-string", CancellationToken.None));

        Assert.Equal(
            "Secret 'postgres-connection-string' of store 'secretstore' is denied to this app by the sidecar Configuration's secret scopes (spec.secrets.scopes).",
            error.Message);
        Assert.Equal(("secretstore", "postgres-connection-string"), (error.Store, error.SecretName));
        Assert.DoesNotContain(Backends.Secrets["postgres-connection-string"], error.ToString(), StringComparison.Ordinal);
    }
}
