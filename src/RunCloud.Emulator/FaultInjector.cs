using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace RunCloud.Emulator
{
    public enum FaultKind
    {
        /// <summary>Answer StatusCode (500, 502, 503, 504...) with {"message":...}; state is not changed.</summary>
        Status,
        /// <summary>Abort the connection without an answer (recorded with StatusCode 0); state is not changed.</summary>
        Reset,
        /// <summary>Wait Latency, then answer normally (or, with ApplyAfterLatency false, abort without applying).</summary>
        Latency,
        /// <summary>200 with a truncated JSON body; state is not changed.</summary>
        MalformedJson,
        /// <summary>429 {"message":"Too Many Attempts."} with Retry-After: RetryAfterSeconds; state is not changed.</summary>
        RateLimited,
    }

    /// <summary>One fault to inject into matching requests.</summary>
    public sealed class FaultRule
    {
        public FaultKind Kind { get; set; } = FaultKind.Status;
        public int StatusCode { get; set; } = 500;
        /// <summary>How many matching requests to fault; 0 or less = every one until cleared.</summary>
        public int Count { get; set; } = 1;
        /// <summary>HTTP method to match (any when null or empty).</summary>
        public string? Method { get; set; }
        /// <summary>Wildcard (* and ?) matched against the path after /api/vN/, e.g. "servers/*/webapps/*/domains". Any when null or empty.</summary>
        public string? PathPattern { get; set; }
        public TimeSpan Latency { get; set; }
        public int RetryAfterSeconds { get; set; } = 1;
        /// <summary>For Latency: after the delay, process the request normally (true, default) or abort the connection without applying it.</summary>
        public bool ApplyAfterLatency { get; set; } = true;

        /// <summary>
        /// Only requests presenting this credential (a Bearer token, or a v2 API key) match; any credential when null or empty.
        /// With EmulatorOptions.AdditionalTokens this plays one account refused (e.g. a 429 with Retry-After: 86400 that lasts,
        /// Count 0) while another account goes through. Shown masked in listings.
        /// </summary>
        [Newtonsoft.Json.JsonIgnore]
        public string? Credential { get; set; }

        /// <summary>The credential filter as listings show it: its last 4 characters, or null when none.</summary>
        public string? CredentialHint => string.IsNullOrEmpty(Credential) ? null : "***" + Credential!.Substring(Math.Max(0, Credential.Length - 4));

        /// <summary>How many requests this rule has faulted so far.</summary>
        public int Hits { get; internal set; }

        internal bool Matches(string method, string apiPath, string? presented = null)
        {
            if (!string.IsNullOrEmpty(Method) && !string.Equals(Method, method, StringComparison.OrdinalIgnoreCase)) return false;
            if (!string.IsNullOrEmpty(Credential) && !string.Equals(Credential, presented, StringComparison.Ordinal)) return false;
            if (string.IsNullOrEmpty(PathPattern)) return true;
            return Wildcard.IsMatch(apiPath, PathPattern!.Trim('/'));
        }

        public override string ToString() =>
            $"{Kind}{(Kind == FaultKind.Status ? " " + StatusCode : "")}{(Kind == FaultKind.RateLimited ? " Retry-After " + RetryAfterSeconds : "")} x{(Count <= 0 ? "forever" : Count.ToString())} {Method ?? "*"} {PathPattern ?? "*"}{(CredentialHint != null ? " for " + CredentialHint : "")}";
    }

    /// <summary>Thread-safe list of active fault rules; the first matching rule with hits left applies.</summary>
    public sealed class FaultInjector
    {
        private readonly object _lock = new object();
        private readonly List<FaultRule> _rules = new List<FaultRule>();

        public FaultRule Add(FaultRule rule)
        {
            if (rule == null) throw new ArgumentNullException(nameof(rule));
            if (rule.Kind == FaultKind.Status && (rule.StatusCode < 400 || rule.StatusCode > 599))
                throw new ArgumentOutOfRangeException(nameof(rule), "A Status fault needs a 4xx or 5xx StatusCode.");
            lock (_lock) _rules.Add(rule);
            return rule;
        }

        public void Clear()
        {
            lock (_lock) _rules.Clear();
        }

        /// <summary>Rules still waiting to fire (a copy).</summary>
        public IReadOnlyList<FaultRule> Pending
        {
            get { lock (_lock) return _rules.ToList(); }
        }

        /// <summary>Takes one hit from the first rule matching the request, or returns null.</summary>
        internal FaultRule? Take(string method, string apiPath, string? presented = null)
        {
            lock (_lock)
            {
                var rule = _rules.FirstOrDefault(r => r.Matches(method, apiPath, presented));
                if (rule == null) return null;
                rule.Hits++;
                if (rule.Count > 0 && rule.Hits >= rule.Count) _rules.Remove(rule);
                return rule;
            }
        }
    }

    /// <summary>Case-insensitive wildcard matching: * any run of characters, ? one character.</summary>
    public static class Wildcard
    {
        public static bool IsMatch(string input, string pattern)
        {
            var rx = "^" + Regex.Escape(pattern).Replace("\\*", ".*").Replace("\\?", ".") + "$";
            return Regex.IsMatch(input ?? "", rx, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        }
    }
}
