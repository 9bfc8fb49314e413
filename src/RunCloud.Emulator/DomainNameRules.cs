using System;

namespace RunCloud.Emulator
{
    /// <summary>The host-name rule the emulator applies to added domains.</summary>
    public static class DomainNameRules
    {
        /// <summary>
        /// Valid: at least two labels; each label 1-63 characters of letters, digits and hyphens, not starting or ending
        /// with a hyphen; total length at most 253; an optional leading "*." makes it a wildcard domain.
        /// </summary>
        public static bool IsValid(string? name, out bool wildcard)
        {
            wildcard = false;
            if (string.IsNullOrEmpty(name)) return false;
            var host = name!;
            if (host.StartsWith("*.", StringComparison.Ordinal))
            {
                wildcard = true;
                host = host.Substring(2);
            }
            if (host.Length == 0 || host.Length > 253) return false;
            var labels = host.Split('.');
            if (labels.Length < 2) return false;
            foreach (var label in labels)
            {
                if (label.Length < 1 || label.Length > 63) return false;
                if (label[0] == '-' || label[label.Length - 1] == '-') return false;
                foreach (var ch in label)
                {
                    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-';
                    if (!ok) return false;
                }
            }
            return true;
        }
    }
}
