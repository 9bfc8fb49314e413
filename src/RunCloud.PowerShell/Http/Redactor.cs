using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;

namespace RunCloud.PowerShell.Http
{
    /// <summary>Removes secrets from text bound for -Debug output: JSON fields that hold keys, and any known secret value.</summary>
    internal static class Redactor
    {
        public const string Mask = "***REDACTED***";

        private static readonly HashSet<string> s_secretFields = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "privateKey", "pullKey1", "pullKey2", "password", "secret", "apiSecret", "api_secret", "token", "apiToken", "api_token",
        };

        private static readonly Regex s_field = new Regex(
            "\"(?<name>[A-Za-z0-9_]+)\"\\s*:\\s*\"(?<value>(?:[^\"\\\\]|\\\\.)*)\"",
            RegexOptions.Compiled | RegexOptions.CultureInvariant);

        public static string RedactJson(string text)
        {
            if (string.IsNullOrEmpty(text)) return text;
            return s_field.Replace(text, m => s_secretFields.Contains(m.Groups["name"].Value)
                ? "\"" + m.Groups["name"].Value + "\":\"" + Mask + "\""
                : m.Value);
        }

        public static string RedactValues(string text, IEnumerable<string> secrets)
        {
            foreach (string secret in secrets)
            {
                if (!string.IsNullOrEmpty(secret)) text = text.Replace(secret, Mask);
            }

            return text;
        }
    }
}
