using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Runtime.CompilerServices;
using System.Threading;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Commands.Completion
{
    /// <summary>
    /// Tab completion of -ServerId and -WebAppId from the account: the ids, with the names as tooltips. Lists are
    /// read once per connection (and server) through the Api layer and cached for five minutes, so pressing Tab does
    /// not spend API calls; a read that takes longer than <see cref="Timeout"/> gives no completion rather than a
    /// frozen prompt.
    /// </summary>
    internal abstract class RunCloudIdCompleter : IArgumentCompleter
    {
        private static readonly ConditionalWeakTable<RunCloudConnection, Dictionary<string, (DateTime Read, List<(long Id, string Name)> Items)>> s_cache =
            new ConditionalWeakTable<RunCloudConnection, Dictionary<string, (DateTime, List<(long, string)>)>>();

        private static readonly TimeSpan s_lifetime = TimeSpan.FromMinutes(5);

        /// <summary>How long Tab may wait for RunCloud.</summary>
        internal static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            RunCloudConnection? connection = CompletionConnection.From(fakeBoundParameters);
            if (connection == null) return Enumerable.Empty<CompletionResult>();

            if (!TryGetScope(connection, fakeBoundParameters, out long? serverId)) return Enumerable.Empty<CompletionResult>();

            List<(long Id, string Name)> items;
            try
            {
                items = Read(connection, serverId);
            }
            catch (Exception)
            {
                return Enumerable.Empty<CompletionResult>(); // completion must never throw at the prompt
            }

            return Matching(items, wordToComplete);
        }

        /// <summary>
        /// The ids whose digits or name start with what was typed (quotes ignored), each shown as "id name" with the name
        /// as its tooltip: the one way every id completer (servers, web apps, domains) offers its ids.
        /// </summary>
        internal static IEnumerable<CompletionResult> Matching(IEnumerable<(long Id, string Name)> items, string? wordToComplete)
        {
            string prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
            return items
                .Where(i => i.Id.ToString(CultureInfo.InvariantCulture).StartsWith(prefix, StringComparison.Ordinal)
                            || i.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                .Select(i => new CompletionResult(i.Id.ToString(CultureInfo.InvariantCulture),
                    i.Id.ToString(CultureInfo.InvariantCulture) + " " + i.Name, CompletionResultType.ParameterValue, i.Name));
        }

        /// <summary>What to list: the servers (<paramref name="serverId"/> null) or one server's web apps; false for nothing.</summary>
        private protected abstract bool TryGetScope(RunCloudConnection connection, IDictionary? bound, out long? serverId);

        /// <summary>An id already typed for another parameter (-ServerId, -WebAppId), whatever form the parser bound it in; null if none.</summary>
        internal static long? BoundLong(IDictionary? bound, string name)
        {
            object? value = bound?[name];
            if (value is PSObject pso) value = pso.BaseObject;
            return value == null ? (long?)null : long.TryParse(Convert.ToString(value, CultureInfo.InvariantCulture), out long id) ? id : (long?)null;
        }

        internal static List<(long Id, string Name)> Read(RunCloudConnection connection, long? serverId)
        {
            string key = serverId.HasValue ? "apps of " + serverId.Value.ToString(CultureInfo.InvariantCulture) : "account";
            Dictionary<string, (DateTime Read, List<(long Id, string Name)> Items)> perConnection = s_cache.GetOrCreateValue(connection);
            lock (perConnection)
            {
                if (perConnection.TryGetValue(key, out var cached) && DateTime.UtcNow - cached.Read < s_lifetime) return cached.Items;
            }

            List<(long Id, string Name)> items;
            using (var timeout = new CancellationTokenSource(Timeout))
            {
                items = connection.CreateService().ListIdsAsync(serverId, maxPages: 5, timeout.Token).GetAwaiter().GetResult();
            }

            lock (perConnection)
            {
                perConnection[key] = (DateTime.UtcNow, items);
            }

            return items;
        }
    }
}
