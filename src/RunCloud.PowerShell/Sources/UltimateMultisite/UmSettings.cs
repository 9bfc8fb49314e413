using System;
using System.Globalization;

namespace RunCloud.PowerShell.Sources.UltimateMultisite
{
    /// <summary>What the desired set needs from UM's network option wp-ultimo_v2_settings (a PHP-serialized array).</summary>
    internal static class UmSettings
    {
        public const string OptionName = "wp-ultimo_v2_settings";
        public const string WwwKey = "auto_create_www_subdomain";

        /// <summary>auto_create_www_subdomain from the option's text; Always (UM's default) when the key is absent or empty.</summary>
        /// <exception cref="UmReadException">The option cannot be read, or holds a value UM does not know.</exception>
        public static UmWwwPolicy WwwPolicy(string? serialized, string where)
        {
            if (string.IsNullOrEmpty(serialized)) return UmWwwPolicy.Always;
            object? parsed;
            try
            {
                parsed = PhpSerializedReader.Parse(serialized!);
            }
            catch (FormatException ex)
            {
                throw new UmReadException(UmReadFailure.UnreadableData, where,
                    $"UM's settings ({OptionName}) in {where} cannot be read: {ex.Message}. Nothing was planned from a guessed www policy; re-save UM's settings (Network Admin > Ultimate Multisite > Settings), or read through WP-CLI (-Via WpCli).");
            }

            if (!(parsed is System.Collections.Generic.List<System.Collections.Generic.KeyValuePair<object, object?>>))
            {
                throw new UmReadException(UmReadFailure.UnreadableData, where, $"UM's settings ({OptionName}) in {where} are not a PHP array. Re-save UM's settings, or read through WP-CLI (-Via WpCli).");
            }

            if (!PhpSerializedReader.TryGet(parsed, WwwKey, out object? value) || value == null || (value is string empty && empty.Length == 0)) return UmWwwPolicy.Always;
            return ParsePolicy(Convert.ToString(value, CultureInfo.InvariantCulture), where);
        }

        public static UmWwwPolicy ParsePolicy(string? text, string where)
        {
            switch ((text ?? string.Empty).Trim())
            {
                case "":
                case "always": return UmWwwPolicy.Always;
                case "main_only": return UmWwwPolicy.MainOnly;
                case "never": return UmWwwPolicy.Never;
                default:
                    throw new UmReadException(UmReadFailure.UnreadableData, where,
                        $"UM's {WwwKey} in {where} is '{Short(text)}', none of always, main_only or never. Set it again in UM's settings.");
            }
        }

        private static string Short(string? text) => text == null ? string.Empty : text.Length > 40 ? text.Substring(0, 40) + "…" : text;
    }
}
