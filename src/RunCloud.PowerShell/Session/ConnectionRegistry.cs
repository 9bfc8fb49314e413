using System;
using System.Collections.Generic;
using System.Linq;

namespace RunCloud.PowerShell.Session
{
    /// <summary>
    /// Named connections (Connect-RunCloud -Name clientA), side by side with the default one. Process-wide on purpose,
    /// like <see cref="RunCloudSession"/>: runspaces of one process (-ThrottleLimit, ForEach-Object -Parallel) then use
    /// the same connection per account, and so the same rate limiter and retry budget.
    /// </summary>
    internal static class ConnectionRegistry
    {
        private static readonly object s_gate = new object();
        private static readonly Dictionary<string, RunCloudConnection> s_byName = new Dictionary<string, RunCloudConnection>(StringComparer.OrdinalIgnoreCase);

        /// <summary>Registers <paramref name="connection"/> under its name and returns the one it replaced (the caller disposes it).</summary>
        public static RunCloudConnection? Register(string name, RunCloudConnection connection)
        {
            lock (s_gate)
            {
                s_byName.TryGetValue(name, out RunCloudConnection? previous);
                s_byName[name] = connection;
                return ReferenceEquals(previous, connection) ? null : previous;
            }
        }

        public static RunCloudConnection? Get(string name)
        {
            lock (s_gate)
            {
                return s_byName.TryGetValue(name, out RunCloudConnection? c) ? c : null;
            }
        }

        /// <summary>Forgets the name; returns the connection that had it, or null.</summary>
        public static RunCloudConnection? Remove(string name)
        {
            lock (s_gate)
            {
                if (!s_byName.TryGetValue(name, out RunCloudConnection? c)) return null;
                s_byName.Remove(name);
                return c;
            }
        }

        /// <summary>Forgets <paramref name="connection"/> under whatever name it has.</summary>
        public static void Forget(RunCloudConnection connection)
        {
            lock (s_gate)
            {
                foreach (string key in s_byName.Where(p => ReferenceEquals(p.Value, connection)).Select(p => p.Key).ToList())
                {
                    s_byName.Remove(key);
                }
            }
        }

        public static IReadOnlyList<RunCloudConnection> All()
        {
            lock (s_gate)
            {
                return s_byName.OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase).Select(p => p.Value).ToList();
            }
        }

        public static IReadOnlyList<string> Names()
        {
            lock (s_gate)
            {
                return s_byName.Keys.OrderBy(k => k, StringComparer.OrdinalIgnoreCase).ToList();
            }
        }

        /// <summary>The connection a name or an object stands for: a name must be registered.</summary>
        public static RunCloudConnection Resolve(string name)
        {
            RunCloudConnection? c = Get(name);
            if (c != null) return c;
            IReadOnlyList<string> names = Names();
            throw new KeyNotFoundException(names.Count == 0
                ? $"No connection is named '{name}'. Open it first: Connect-RunCloud -Name {name} -Token ... (or -Vault <vault> -SecretName <secret>)."
                : $"No connection is named '{name}'. Open ones: {string.Join(", ", names)}. Open it with Connect-RunCloud -Name {name} ..., or fix the name.");
        }
    }
}
