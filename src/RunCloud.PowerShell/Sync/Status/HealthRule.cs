using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using RunCloud.PowerShell.Dns;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Sync.Status
{
    /// <summary>
    /// One -FailOn rule: a condition on the status of the names that should be served (or, for NotMapped, of the names
    /// nobody maps), or on the next sync. Parsed strictly: an unknown rule, a value where none belongs, or days that are
    /// not a whole number from 0 to 365 is an error naming the valid rules, so a typo never turns a check off silently.
    /// </summary>
    internal sealed class HealthRule
    {
        public const string NotOnRunCloud = "NotOnRunCloud";
        public const string DnsNotReady = "DnsNotReady";
        public const string Uncovered = "Uncovered";
        public const string NotServed = "NotServed";
        public const string Expired = "Expired";
        public const string Expiring = "Expiring";
        public const string NotMapped = "NotMapped";
        public const string SyncBlocked = "SyncBlocked";

        /// <summary>The ErrorId of a failed rule is this followed by the rule's name, e.g. RunCloudHealthUncovered.</summary>
        public const string ErrorIdPrefix = "RunCloudHealth";

        private static readonly string[] s_kinds = { NotOnRunCloud, DnsNotReady, Uncovered, NotServed, Expired, Expiring, NotMapped, SyncBlocked };

        /// <summary>The valid rules, as an error message lists them.</summary>
        public static string ValidRules => "NotOnRunCloud, DnsNotReady, Uncovered, NotServed (needs -Live), Expired, Expiring or Expiring:<days>, NotMapped, SyncBlocked";

        private HealthRule(string kind, int? days)
        {
            Kind = kind;
            Days = days;
        }

        public string Kind { get; }

        /// <summary>Expiring only: a certificate ending within this many days breaks the rule.</summary>
        public int? Days { get; }

        public string Text => Days.HasValue ? Kind + ":" + Days.Value.ToString(CultureInfo.InvariantCulture) : Kind;

        public string ErrorId => ErrorIdPrefix + Kind;

        /// <summary>
        /// Reads -FailOn: each value may hold several rules separated by commas (what pwsh -File passes for a list).
        /// "Expiring" without days means <paramref name="defaultExpiringDays"/>.
        /// </summary>
        /// <exception cref="ArgumentException">A rule that is not valid, naming it and the valid rules.</exception>
        public static IReadOnlyList<HealthRule> ParseAll(IEnumerable<string>? values, int defaultExpiringDays)
        {
            var rules = new List<HealthRule>();
            foreach (string value in values ?? Array.Empty<string>())
            {
                foreach (string part in (value ?? string.Empty).Split(','))
                {
                    HealthRule rule = Parse(part, defaultExpiringDays);
                    if (!rules.Any(r => r.Text == rule.Text)) rules.Add(rule);
                }
            }

            return rules;
        }

        private static HealthRule Parse(string raw, int defaultExpiringDays)
        {
            string text = raw.Trim();
            if (text.Length == 0) throw new ArgumentException($"-FailOn has an empty rule. Valid rules: {ValidRules}.");
            int colon = text.IndexOf(':');
            string name = (colon >= 0 ? text.Substring(0, colon) : text).Trim();
            string? value = colon >= 0 ? text.Substring(colon + 1).Trim() : null;
            string? kind = s_kinds.FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));
            if (kind == null)
            {
                string? near = s_kinds.FirstOrDefault(k => k.StartsWith(name.Length >= 3 ? name.Substring(0, 3) : name, StringComparison.OrdinalIgnoreCase));
                throw new ArgumentException($"-FailOn: '{text}' is not a rule{(near != null ? $" (did you mean {near}?)" : string.Empty)}. Valid rules: {ValidRules}.");
            }

            if (kind != Expiring)
            {
                if (value != null) throw new ArgumentException($"-FailOn: the rule {kind} takes no value ('{text}'). Valid rules: {ValidRules}.");
                return new HealthRule(kind, null);
            }

            if (value == null) return new HealthRule(kind, defaultExpiringDays);
            if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int days) || days > 365)
            {
                throw new ArgumentException($"-FailOn: '{text}': the days of Expiring must be a whole number from 0 to 365, e.g. Expiring:14. Valid rules: {ValidRules}.");
            }

            return new HealthRule(kind, days);
        }

        /// <summary>Whether one name breaks the rule. SyncBlocked is decided per target by the caller (the names the guard held back).</summary>
        public bool IsBrokenBy(RunCloudNetworkStatus s)
        {
            switch (Kind)
            {
                case NotOnRunCloud: return s.State == NetworkState.NotOnRunCloud;
                case DnsNotReady: return s.Desired && IsDnsProblem(s.Dns);
                case Uncovered: return s.Desired && s.OnRunCloud.HasValue && IsUncovered(s.Certificate);
                case NotServed: return s.Desired && s.Live != null && s.Live != CertificateState.Covered && s.Live != CertificateState.Expired;
                case Expired: return s.Desired && s.OnRunCloud.HasValue && (s.DaysRemaining < 0 || s.Certificate == CertificateState.Expired || s.Live == CertificateState.Expired);
                case Expiring: return s.Desired && s.OnRunCloud.HasValue && s.DaysRemaining.HasValue && s.DaysRemaining.Value <= Days!.Value;
                case NotMapped: return s.State == NetworkState.NotMapped;
                default: return false;
            }
        }

        /// <summary>What the rule checks, for its message.</summary>
        public string Describe() => Kind switch
        {
            NotOnRunCloud => "a desired name is not on the web app",
            DnsNotReady => "a desired name's DNS does not point at the server",
            Uncovered => "RunCloud's SSL state says no certificate covers a desired name on the web app",
            NotServed => "the server does not serve a valid certificate for a desired name",
            Expired => "the certificate of a desired name has expired",
            Expiring => $"the certificate of a desired name ends within {Days} day(s)",
            NotMapped => "a name on the web app is mapped by nobody",
            SyncBlocked => "the next sync would stop at a guard before any change",
            _ => Kind,
        };

        /// <summary>The fix, for the failed rule's message.</summary>
        public string Fix() => Kind switch
        {
            NotOnRunCloud => "Run the sync (Sync-RunCloudDomain) to add them, or check why it skips them (NextSyncReason).",
            DnsNotReady => "Point their A records at the server (DnsDetail says where they point now).",
            Uncovered => "Redeploy or order the certificate (Reset-RunCloudSsl); names whose DNS is not ready are covered once it is.",
            NotServed => "Check the certificate the server serves (LiveDetail) and redeploy it (Reset-RunCloudSsl).",
            Expired => "Redeploy the certificates (Reset-RunCloudSsl) and check RunCloud's auto-renewal.",
            Expiring => "Check RunCloud's auto-renewal, or redeploy the certificates (Reset-RunCloudSsl).",
            NotMapped => "Remove them (Sync-RunCloudDomain -Prune, or Remove-RunCloudDomain), or map them again.",
            SyncBlocked => "Read the guard's message (NextSyncReason, SyncBlocked) and fix the source, or lift the guard for one run.",
            _ => string.Empty,
        };

        public override string ToString() => Text;

        internal static bool IsDnsProblem(string? dns) =>
            dns != null && dns != DnsReadiness.Ok && dns != DnsNotChecked;

        internal static bool IsUncovered(string? certificate) =>
            certificate == CertificateState.NotCovered || certificate == CertificateState.NoCertificate
            || certificate == CertificateState.NeedsDns01 || certificate == CertificateState.Staging;

        /// <summary>The Dns value of a name whose DNS was not checked (-SkipDnsCheck, RUNCLOUD_SKIP_DNS_CHECK).</summary>
        public const string DnsNotChecked = "NotChecked";
    }
}
