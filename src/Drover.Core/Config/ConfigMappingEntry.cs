namespace Drover.Core.Config;

/// <summary>One <c>key: value</c> pair of a <see cref="ConfigMapping"/>.</summary>
internal sealed record ConfigMappingEntry(ConfigScalar Key, ConfigNode Value);
