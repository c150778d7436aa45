namespace Drover.Core.Config;

/// <summary>
/// Walks the whole document and refuses any value that looks like a credential pasted inline (a GitHub or GitLab
/// token, a PEM key), wherever it is written. Runs before binding so that no later message can echo such a value.
/// </summary>
internal static class InlineSecretScanner
{
    public static void Scan(ConfigNode node, string path, ConfigErrorCollector errors)
    {
        switch (node)
        {
            case ConfigScalar scalar:
                var kind = SecretHeuristics.DescribeInlineSecret(scalar.Value);
                if (kind is not null)
                {
                    errors.AddSecret(scalar, path, $"looks like an inline {kind}; store it in an environment variable or a file and write env:NAME or file:/path");
                }

                break;
            case ConfigSequence sequence:
                for (var i = 0; i < sequence.Items.Count; i++)
                {
                    Scan(sequence.Items[i], ConfigPath.Index(path, i), errors);
                }

                break;
            case ConfigMapping mapping:
                foreach (var entry in mapping.Entries)
                {
                    Scan(entry.Value, ConfigPath.Child(path, entry.Key.Value), errors);
                }

                break;
        }
    }
}
