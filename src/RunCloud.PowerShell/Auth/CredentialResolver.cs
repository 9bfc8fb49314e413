using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security;

namespace RunCloud.PowerShell.Auth
{
    /// <summary>
    /// The documented credential resolution chain of Connect-RunCloud when no credential parameter is given:
    /// <list type="number">
    /// <item>RUNCLOUD_API_TOKEN (Bearer token)</item>
    /// <item>WU_RUNCLOUD_API_TOKEN (Bearer token; the name Ultimate Multisite's v3 integration reads)</item>
    /// <item>WU_RUNCLOUD_API_KEY + WU_RUNCLOUD_API_SECRET (v2 Basic)</item>
    /// </list>
    /// WU_RUNCLOUD_SERVER_ID and WU_RUNCLOUD_APP_ID give the default ids. In a wp-config.php the same rule holds:
    /// a token wins over a key/secret pair. Every message names where a value came from, never the value of a secret.
    /// </summary>
    internal static class CredentialResolver
    {
        public const string TokenVariable = "RUNCLOUD_API_TOKEN";
        public const string WuToken = "WU_RUNCLOUD_API_TOKEN";
        public const string WuKey = "WU_RUNCLOUD_API_KEY";
        public const string WuSecret = "WU_RUNCLOUD_API_SECRET";
        public const string WuServer = "WU_RUNCLOUD_SERVER_ID";
        public const string WuApp = "WU_RUNCLOUD_APP_ID";

        public static ResolvedCredential FromEnvironment(Func<string, string?> getVariable)
        {
            string? Get(string name)
            {
                string? value = getVariable(name);
                return string.IsNullOrWhiteSpace(value) ? null : value!.Trim();
            }

            ResolvedCredential? resolved = FromValues(Get(TokenVariable) ?? Get(WuToken), Get(TokenVariable) != null ? TokenVariable : WuToken,
                Get(WuKey), Get(WuSecret), "environment variable");
            if (resolved == null)
            {
                throw new CredentialNotFoundException(
                    "No RunCloud credentials were given and none were found. Looked for, in this order: the environment variable "
                    + $"{TokenVariable}; {WuToken}; {WuKey} together with {WuSecret}. Pass -Token, -ApiKey with -ApiSecret, -Credential "
                    + "or -WpConfigPath, or set one of those variables.");
            }

            resolved.ServerId = ParseId(Get(WuServer), WuServer, "the environment");
            resolved.WebAppId = ParseId(Get(WuApp), WuApp, "the environment");
            return resolved;
        }

        /// <param name="serverIdGiven">The caller passes the server id explicitly: an ambiguous WU_RUNCLOUD_SERVER_ID is not needed, so not an error.</param>
        /// <param name="webAppIdGiven">Likewise for WU_RUNCLOUD_APP_ID.</param>
        public static ResolvedCredential FromWpConfig(string path, bool serverIdGiven = false, bool webAppIdGiven = false)
        {
            string text;
            try
            {
                text = File.ReadAllText(path);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is NotSupportedException)
            {
                throw new WpConfigException($"Cannot read '{path}': {ex.Message} Pass the path of the WordPress site's wp-config.php.");
            }

            WpConfigReader.Result parsed;
            try
            {
                parsed = WpConfigReader.Parse(text);
            }
            catch (FormatException ex)
            {
                throw new WpConfigException($"'{path}' cannot be read as PHP: {ex.Message}. Fix the file (php -l checks it) and try again.");
            }

            // A constant PHP may define differently per request (inside if/else, defined twice, from getenv()) is never guessed.
            var problems = new List<string>();
            foreach (var group in parsed.Definitions.Where(d => d.Name.StartsWith("WU_RUNCLOUD_", StringComparison.Ordinal)).GroupBy(d => d.Name))
            {
                if ((group.Key == WuServer && serverIdGiven) || (group.Key == WuApp && webAppIdGiven)) continue;
                var list = group.ToList();
                string lines = string.Join(", ", list.Select(d => d.Line.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                if (list.Count > 1) problems.Add($"{group.Key} is defined {list.Count} times (lines {lines})");
                foreach (var d in list.Where(d => d.Conditional)) problems.Add($"{group.Key} is defined inside a conditional or block on line {d.Line}");
                foreach (var d in list.Where(d => d.Expression != null))
                {
                    problems.Add(d.Expression!.IndexOf("getenv", StringComparison.OrdinalIgnoreCase) >= 0
                        ? $"{group.Key} on line {d.Line} takes its value from {d.Expression} (the web server's environment, not this one)"
                        : $"{group.Key} on line {d.Line} has a value this reader cannot evaluate without PHP ({d.Expression})");
                }
            }

            if (problems.Count > 0)
            {
                throw new WpConfigException(
                    $"'{path}' does not define the RunCloud constants unambiguously: {string.Join("; ", problems)}. Nothing was connected: PHP decides such values "
                    + "per request, and guessing could point a scheduled sync at the wrong web app. Pass the values explicitly instead "
                    + "(-ServerId and -WebAppId for the ids; -Token, or the WU_RUNCLOUD_API_TOKEN environment variable, for the credentials), "
                    + "or define each constant once, unconditionally, with a literal value.");
            }

            string? Get(string name) => parsed.Values.TryGetValue(name, out string? v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;
            string source = $"wp-config.php at {path}";
            ResolvedCredential? resolved = FromValues(Get(WuToken), WuToken, Get(WuKey), Get(WuSecret), source);
            if (resolved == null)
            {
                throw new WpConfigException(
                    $"'{path}' defines none of the RunCloud credentials. Looked for define('{WuToken}', ...), or define('{WuKey}', ...) "
                    + $"together with define('{WuSecret}', ...), outside comments. Add them as the Ultimate Multisite RunCloud guide shows.");
            }

            try
            {
                resolved.ServerId = serverIdGiven ? null : ParseId(Get(WuServer), WuServer, source);
                resolved.WebAppId = webAppIdGiven ? null : ParseId(Get(WuApp), WuApp, source);
            }
            catch (InvalidIdException ex)
            {
                throw new WpConfigException(ex.Message);
            }

            return resolved;
        }

        private static ResolvedCredential? FromValues(string? token, string tokenName, string? key, string? secret, string where)
        {
            if (token != null)
            {
                var r = new ResolvedCredential(RunCloudCredential.ForToken(SecureText.FromPlain(token)), $"{tokenName} ({where})");
                r.Notes.Add($"Using the API token from {tokenName} ({where}).");
                if (key != null || secret != null)
                {
                    r.Notes.Add($"{WuKey}/{WuSecret} are also set; the token wins over a key/secret pair.");
                }

                return r;
            }

            if (key != null && secret == null)
            {
                throw new CredentialNotFoundException($"{WuKey} is set ({where}) but {WuSecret} is not. Set both, or use an API token ({TokenVariable} or {WuToken}).");
            }

            if (secret != null && key == null)
            {
                throw new CredentialNotFoundException($"{WuSecret} is set ({where}) but {WuKey} is not. Set both, or use an API token ({TokenVariable} or {WuToken}).");
            }

            if (key == null) return null;
            ValidateApiKey(key, $"{WuKey} ({where})");
            var resolved = new ResolvedCredential(RunCloudCredential.ForApiKey(key, SecureText.FromPlain(secret!)), $"{WuKey}/{WuSecret} ({where})");
            resolved.Notes.Add($"Using the API key and secret from {WuKey}/{WuSecret} ({where}).");
            return resolved;
        }

        internal static void ValidateApiKey(string key, string where)
        {
            if (key.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c == ':'))
            {
                throw new CredentialNotFoundException($"The API key from {where} contains white space, a control character or ':'. Copy the key again from RunCloud > Settings > API.");
            }
        }

        internal static long? ParseId(string? text, string name, string where)
        {
            if (text == null) return null;
            if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long id) || id <= 0)
            {
                throw new InvalidIdException(name, $"{name} from {where} is '{Shorten(text)}', which is not a positive whole number. Use the number in the RunCloud dashboard URL (/servers/{{SERVER_ID}}/apps/{{APP_ID}}).");
            }

            return id;
        }

        private static string Shorten(string text) => text.Length > 40 ? text.Substring(0, 40) + "…" : text;
    }
}
