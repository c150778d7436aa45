using System.Globalization;

namespace Drover.Core.Config;

/// <summary>
/// Loads a fleet configuration from YAML: parse (keeping every node's line and column), refuse inline secrets,
/// bind to <see cref="FleetConfig"/>, then run <see cref="FleetConfigValidator"/>. Every problem is reported;
/// the result carries a configuration only when there is none.
/// </summary>
public sealed class FleetConfigLoader
{
    private readonly FleetConfigValidator _validator;
    private readonly Adapters.AdapterModules _modules;

    public FleetConfigLoader(FleetConfigValidationOptions? options = null)
    {
        _validator = new FleetConfigValidator(options);
        _modules = (options ?? FleetConfigValidationOptions.Default).Modules;
    }

    /// <summary>Loads <paramref name="path"/>; errors name the file as given. Never throws for what the file holds.</summary>
    public ConfigLoadResult LoadFromFile(string path)
    {
        string text;
        try
        {
            if (Directory.Exists(path))
            {
                return Failed(path, "is a directory, not a configuration file");
            }

            if (!File.Exists(path))
            {
                return Failed(path, "file not found");
            }

            var length = new FileInfo(path).Length;
            if (length > ConfigLimits.MaxFileBytes)
            {
                return Failed(path, string.Create(CultureInfo.InvariantCulture, $"the file is {length:N0} bytes; a configuration file may be at most {ConfigLimits.MaxFileBytes:N0} bytes"));
            }

            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Failed(path, $"cannot read the file: {ex.Message}");
        }

        return LoadFromString(text, path);
    }

    /// <summary>Loads configuration text; <paramref name="fileName"/> is used in error locations only.</summary>
    public ConfigLoadResult LoadFromString(string text, string fileName)
    {
        var errors = new ConfigErrorCollector(fileName);
        var map = new ConfigSourceMap(fileName);
        var root = ConfigYamlReader.Read(text, errors);
        if (root is null)
        {
            return new ConfigLoadResult { Errors = errors.Sorted(), SourceMap = map };
        }

        InlineSecretScanner.Scan(root, string.Empty, errors);
        var bound = new FleetConfigBinder(errors, map, _modules).Bind(root);
        if (bound is not null)
        {
            _validator.Validate(bound, map, errors);
        }

        var sorted = errors.Sorted();
        return new ConfigLoadResult
        {
            Config = sorted.Count == 0 ? bound?.Config : null,
            Errors = sorted,
            Warnings = errors.Warnings,
            SourceMap = map,
        };
    }

    private static ConfigLoadResult Failed(string path, string message) =>
        new() { Errors = [new ConfigError(path, 0, 0, string.Empty, message)], SourceMap = new ConfigSourceMap(path) };
}
