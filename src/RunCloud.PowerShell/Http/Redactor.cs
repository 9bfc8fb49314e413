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
            if (string.IsNullOrEmpty(text)) return text;
            foreach (string secret in secrets)
            {
                if (!string.IsNullOrEmpty(secret) && text.IndexOf(secret, StringComparison.Ordinal) >= 0) text = text.Replace(secret, Mask);
            }

            return text;
        }

        /// <summary>True when <paramref name="text"/> holds a secret value or a control character.</summary>
        public static bool NeedsCleaning(string? text, IEnumerable<string> secrets)
        {
            if (string.IsNullOrEmpty(text)) return false;
            if (Models.ServerText.HasControl(text)) return true;
            foreach (string secret in secrets)
            {
                if (!string.IsNullOrEmpty(secret) && text!.IndexOf(secret, StringComparison.Ordinal) >= 0) return true;
            }

            return false;
        }

        /// <summary>What every string leaving the module goes through: secret values masked, control characters escaped.</summary>
        public static string Clean(string? text, IEnumerable<string> secrets) =>
            Models.ServerText.Escape(RedactValues(text ?? string.Empty, secrets));

        /// <summary>
        /// The forms a secret can take in text: itself, URL-encoded (a proxy URL), and JSON-escaped; the longest first,
        /// so a secret that contains another is masked whole.
        /// </summary>
        public static string[] Variants(IEnumerable<string> secrets)
        {
            var all = new HashSet<string>(StringComparer.Ordinal);
            foreach (string secret in secrets)
            {
                if (string.IsNullOrEmpty(secret) || secret.Length < 4) continue;
                all.Add(secret);
                all.Add(Uri.EscapeDataString(secret));
                string json = Newtonsoft.Json.JsonConvert.ToString(secret);
                all.Add(json.Substring(1, json.Length - 2));
            }

            var list = new List<string>(all);
            list.Sort((a, b) => b.Length.CompareTo(a.Length));
            return list.ToArray();
        }
    }
}
