using System.Text;

namespace Drover.Providers.Process;

/// <summary>
/// A command line split into words the way a POSIX shell splits them (whitespace, <c>'single'</c> and
/// <c>"double"</c> quotes, backslash escapes) but with no expansion of any kind, whose words may hold the
/// placeholders <c>{runnerDir}</c>, <c>{runnerName}</c>, <c>{pool}</c> and <c>{credentialFile}</c>. A brace
/// preceded by <c>$</c> (<c>${HOME}</c>) is shell syntax and left alone. No placeholder expands to the credential.
/// </summary>
internal sealed class CommandTemplate
{
    /// <summary>The placeholders a template may use.</summary>
    public static IReadOnlyList<string> Placeholders { get; } = ["runnerDir", "runnerName", "pool", "credentialFile"];

    private CommandTemplate(IReadOnlyList<string> words)
    {
        Words = words;
    }

    /// <summary>The words, placeholders not yet expanded.</summary>
    public IReadOnlyList<string> Words { get; }

    /// <summary>Splits <paramref name="text"/> into words; null and a problem when it cannot be read.</summary>
    public static CommandTemplate? TryParse(string text, out string? problem)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }

                i++;
                continue;
            }

            inWord = true;
            switch (c)
            {
                case '\'':
                {
                    var end = text.IndexOf('\'', i + 1);
                    if (end < 0)
                    {
                        problem = "has an unterminated single quote";
                        return null;
                    }

                    word.Append(text, i + 1, end - i - 1);
                    i = end + 1;
                    break;
                }

                case '"':
                {
                    i++;
                    var closed = false;
                    while (i < text.Length)
                    {
                        var d = text[i];
                        if (d == '"')
                        {
                            closed = true;
                            i++;
                            break;
                        }

                        if (d == '\\' && i + 1 < text.Length && text[i + 1] is '"' or '\\' or '$' or '`')
                        {
                            word.Append(text[i + 1]);
                            i += 2;
                            continue;
                        }

                        word.Append(d);
                        i++;
                    }

                    if (!closed)
                    {
                        problem = "has an unterminated double quote";
                        return null;
                    }

                    break;
                }

                case '\\':
                    if (i + 1 >= text.Length)
                    {
                        problem = "ends with a lone backslash";
                        return null;
                    }

                    word.Append(text[i + 1]);
                    i += 2;
                    break;
                default:
                    word.Append(c);
                    i++;
                    break;
            }
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        problem = null;
        return new CommandTemplate(words);
    }

    /// <summary>The placeholder names used in <paramref name="word"/> (shell <c>${...}</c> excluded).</summary>
    public static IEnumerable<string> PlaceholdersIn(string word)
    {
        var i = 0;
        while ((i = word.IndexOf('{', i)) >= 0)
        {
            var end = word.IndexOf('}', i + 1);
            if (end < 0)
            {
                yield break;
            }

            var name = word[(i + 1)..end];
            var isShell = i > 0 && word[i - 1] == '$';
            if (!isShell && name.Length > 0 && name.All(char.IsAsciiLetterOrDigit))
            {
                yield return name;
            }

            i = end + 1;
        }
    }

    /// <summary>Replaces every placeholder of <paramref name="word"/> by its value in <paramref name="values"/>.</summary>
    public static string Expand(string word, IReadOnlyDictionary<string, string> values)
    {
        var result = new StringBuilder(word.Length);
        var i = 0;
        while (i < word.Length)
        {
            var open = word.IndexOf('{', i);
            if (open < 0)
            {
                break;
            }

            var end = word.IndexOf('}', open + 1);
            if (end < 0)
            {
                break;
            }

            var name = word[(open + 1)..end];
            var isShell = open > 0 && word[open - 1] == '$';
            result.Append(word, i, open - i);
            if (!isShell && values.TryGetValue(name, out var value))
            {
                result.Append(value);
            }
            else
            {
                result.Append(word, open, end - open + 1);
            }

            i = end + 1;
        }

        result.Append(word, i, word.Length - i);
        return result.ToString();
    }
}
