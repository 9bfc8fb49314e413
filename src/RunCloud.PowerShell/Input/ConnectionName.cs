using System.Text.RegularExpressions;

namespace RunCloud.PowerShell.Input
{
    /// <summary>The rule for a connection's name (Connect-RunCloud -Name, a manifest's "connection"): 1-64 letters, digits, '-', '_', '.'.</summary>
    internal static class ConnectionName
    {
        private static readonly Regex s_valid = new Regex(@"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$", RegexOptions.CultureInvariant);

        /// <summary>Null when <paramref name="name"/> is usable, else why not and how to fix it.</summary>
        public static string? Problem(string? name) =>
            name != null && s_valid.IsMatch(name)
                ? null
                : $"The connection name '{name}' is not usable: use 1 to 64 letters, digits, '-', '_' or '.', starting with a letter or digit (e.g. clientA).";
    }
}
