using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Runtime.CompilerServices;
using System.Threading;
using Newtonsoft.Json.Linq;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// Tab completion of -ServerId and -WebAppId from the account: the ids, with the names as tooltips. Lists are
    /// read once per connection (and server) and cached for five minutes, so pressing Tab does not spend API calls.
    /// </summary>
    public abstract class RunCloudIdCompleter : IArgumentCompleter
    {
        private static readonly ConditionalWeakTable<RunCloudConnection, Dictionary<string, (DateTime Read, List<(long Id, string Name)> Items)>> s_cache =
            new ConditionalWeakTable<RunCloudConnection, Dictionary<string, (DateTime, List<(long, string)>)>>();

        private static readonly TimeSpan s_lifetime = TimeSpan.FromMinutes(5);

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            RunCloudConnection? connection = fakeBoundParameters?["Connection"] as RunCloudConnection
                ?? (fakeBoundParameters?["Connection"] as PSObject)?.BaseObject as RunCloudConnection
                ?? RunCloudSession.Current;
            if (connection == null) return Enumerable.Empty<CompletionResult>();

            string? path = PathFor(connection, fakeBoundParameters);
            if (path == null) return Enumerable.Empty<CompletionResult>();

            List<(long Id, string Name)> items;
            try
            {
                items = Read(connection, path);
            }
            catch (Exception)
            {
                return Enumerable.Empty<CompletionResult>(); // completion must never throw at the prompt
            }

            string prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
            return items
                .Where(i => i.Id.ToString(CultureInfo.InvariantCulture).StartsWith(prefix, StringComparison.Ordinal)
                            || i.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                .Select(i => new CompletionResult(i.Id.ToString(CultureInfo.InvariantCulture),
                    i.Id.ToString(CultureInfo.InvariantCulture) + " " + i.Name, CompletionResultType.ParameterValue, i.Name));
        }

        private protected abstract string? PathFor(RunCloudConnection connection, IDictionary? bound);

        private protected static long? BoundLong(IDictionary? bound, string name)
        {
            object? value = bound?[name];
            if (value is PSObject pso) value = pso.BaseObject;
            return value == null ? (long?)null : long.TryParse(Convert.ToString(value, CultureInfo.InvariantCulture), out long id) ? id : (long?)null;
        }

        internal static List<(long Id, string Name)> Read(RunCloudConnection connection, string path)
        {
            Dictionary<string, (DateTime Read, List<(long Id, string Name)> Items)> perConnection = s_cache.GetOrCreateValue(connection);
            lock (perConnection)
            {
                if (perConnection.TryGetValue(path, out var cached) && DateTime.UtcNow - cached.Read < s_lifetime) return cached.Items;
            }

            var items = new List<(long Id, string Name)>();
            using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
            {
                for (int page = 1; page <= 5; page++)
                {
                    ApiPage result = connection.Api.GetPageAsync(path, page, RunCloudApiClient.MaxPerPage, timeout.Token).GetAwaiter().GetResult();
                    items.AddRange(result.Data.OfType<JObject>().Select(o => (Json.Long(o, "id"), ServerText.Escape(Json.Str(o, "name")))));
                    if (!result.HasMore) break;
                }
            }

            lock (perConnection)
            {
                perConnection[path] = (DateTime.UtcNow, items);
            }

            return items;
        }
    }
}
