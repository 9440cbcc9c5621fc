using DaprHarness.Resources;

namespace DaprHarness.Components;

/// <summary>
/// The components this app's sidecar loaded: only those whose <c>scopes</c> include the app-id. Lookups of any
/// other name fail as daprd fails for a component that does not exist.
/// </summary>
public sealed class ComponentRegistry : IAsyncDisposable
{
    private readonly Dictionary<string, (ComponentDefinition Definition, IHarnessComponent Component)> _components;

    private ComponentRegistry(Dictionary<string, (ComponentDefinition, IHarnessComponent)> components) => _components = components;

    public IEnumerable<(ComponentDefinition Definition, IHarnessComponent Component)> All => _components.Values;

    public static IReadOnlyList<IComponentFactory> DiscoverFactories() =>
        typeof(ComponentRegistry).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IComponentFactory).IsAssignableFrom(t))
            .Select(t => (IComponentFactory)Activator.CreateInstance(t)!)
            .ToList();

    /// <summary>
    /// Validates every component definition (type, version, metadata fields) before building any, so a bad file
    /// stops the harness whether or not it is in scope for this app; then builds the in-scope ones, secret stores
    /// first.
    /// </summary>
    public static async Task<ComponentRegistry> BuildAsync(
        IReadOnlyList<ComponentDefinition> definitions,
        IReadOnlyList<IComponentFactory> factories,
        HarnessContext context,
        Func<string, string?> environment,
        CancellationToken cancellationToken)
    {
        var byName = new Dictionary<string, ComponentDefinition>(StringComparer.Ordinal);
        var factoryOf = new Dictionary<string, IComponentFactory>(StringComparer.Ordinal);
        foreach (var definition in definitions)
        {
            if (byName.TryGetValue(definition.Name, out var existing))
            {
                throw new HarnessStartupException(definition.File, "metadata.name",
                    $"component '{definition.Name}' is also defined in {existing.File}");
            }

            byName[definition.Name] = definition;
            factoryOf[definition.Name] = Validate(definition, factories);
        }

        var components = new Dictionary<string, (ComponentDefinition, IHarnessComponent)>(StringComparer.Ordinal);
        var inScope = definitions.Where(d => d.Scopes.Count == 0 || d.Scopes.Contains(context.AppId, StringComparer.Ordinal))
            .OrderBy(d => factoryOf[d.Name].LoadOrder)
            .ToList();
        var registry = new ComponentRegistry(components);
        context.Components = registry;
        try
        {
            await BuildInScopeAsync(inScope, factoryOf, registry, context, environment, cancellationToken);
        }
        catch
        {
            // A failed start must not leave connection pools or consumers of the components built so far behind.
            await registry.DisposeAsync();
            throw;
        }

        return registry;
    }

    private static async Task BuildInScopeAsync(
        List<ComponentDefinition> inScope,
        Dictionary<string, IComponentFactory> factoryOf,
        ComponentRegistry registry,
        HarnessContext context,
        Func<string, string?> environment,
        CancellationToken cancellationToken)
    {
        var components = registry._components;
        foreach (var definition in inScope)
        {
            var metadata = await ResolveMetadataAsync(definition, registry, environment, cancellationToken);
            using var init = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            init.CancelAfter(definition.InitTimeout);
            IHarnessComponent component;
            try
            {
                component = await factoryOf[definition.Name].CreateAsync(metadata, context, init.Token);
            }
            catch (HarnessStartupException)
            {
                throw;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                if (definition.IgnoreErrors)
                {
                    continue;
                }

                var reason = init.IsCancellationRequested ? $"did not initialise within initTimeout {definition.InitTimeout}" : e.Message;
                throw new HarnessStartupException($"{definition.File}: component '{definition.Name}' ({definition.Type}/{definition.Version}) failed to initialise: {reason}", e);
            }

            components[definition.Name] = (definition, component);
        }
    }

    private static IComponentFactory Validate(ComponentDefinition definition, IReadOnlyList<IComponentFactory> factories)
    {
        var factory = factories.FirstOrDefault(f => f.Type == definition.Type || f.Aliases.Contains(definition.Type))
            ?? throw new HarnessStartupException(definition.File, "spec.type", $"component type '{definition.Type}' is not supported by the harness");
        if (!factory.Versions.Contains(definition.Version))
        {
            throw new HarnessStartupException(definition.File, "spec.version",
                $"version '{definition.Version}' of {definition.Type} is not supported by the harness (supported: {string.Join(", ", factory.Versions)})");
        }

        foreach (var item in definition.Metadata)
        {
            if (!factory.MetadataFields.Contains(item.Name, StringComparer.OrdinalIgnoreCase))
            {
                throw new HarnessStartupException(definition.File, item.FieldPath,
                    $"metadata field '{item.Name}' of {definition.Type} is not supported by the harness");
            }
        }

        return factory;
    }

    private static async Task<ComponentMetadata> ResolveMetadataAsync(
        ComponentDefinition definition, ComponentRegistry loaded, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in definition.Metadata)
        {
            if (item.EnvRef is { } variable)
            {
                // daprd refuses env vars that could leak its own credentials into components.
                if (variable == "APP_API_TOKEN" || variable.StartsWith("DAPR_", StringComparison.Ordinal))
                {
                    throw new HarnessStartupException(definition.File, item.FieldPath, $"envRef '{variable}' is not allowed");
                }

                values[item.Name] = environment(variable) ?? "";
            }
            else if (item.SecretKeyRef is { } secretRef)
            {
                var storeName = definition.AuthSecretStore
                    ?? throw new HarnessStartupException(definition.File, item.FieldPath, "uses secretKeyRef but auth.secretStore is not set");
                if (!loaded._components.TryGetValue(storeName, out var store) || store.Component is not ISecretStoreComponent secrets)
                {
                    throw new HarnessStartupException(definition.File, "auth.secretStore",
                        $"secret store '{storeName}' is not loaded for this app (missing, or out of its scopes)");
                }

                var secret = await secrets.GetSecretAsync(secretRef.Name, new Dictionary<string, string>(), cancellationToken);
                values[item.Name] = secret?.GetValueOrDefault(secretRef.Key)
                    ?? throw new HarnessStartupException(definition.File, item.FieldPath,
                        $"secret '{secretRef.Name}' key '{secretRef.Key}' was not found in '{storeName}'");
            }
            else
            {
                values[item.Name] = item.Value ?? "";
            }
        }

        return new ComponentMetadata(definition, values);
    }

    public bool TryGet<T>(string name, out T component) where T : class, IHarnessComponent
    {
        if (_components.TryGetValue(name, out var entry) && entry.Component is T typed)
        {
            component = typed;
            return true;
        }

        component = null!;
        return false;
    }

    public IEnumerable<T> OfKind<T>() where T : IHarnessComponent => _components.Values.Select(c => c.Component).OfType<T>();

    public async ValueTask DisposeAsync()
    {
        foreach (var (_, component) in _components.Values)
        {
            await component.DisposeAsync();
        }
    }
}
