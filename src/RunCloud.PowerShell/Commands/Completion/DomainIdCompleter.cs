using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Commands.Completion
{
    /// <summary>
    /// Completes Get-RunCloudDomain -Id with the domain ids of -ServerId/-WebAppId (or the connection's defaults), the
    /// names as tooltips. Read once per web app and kept five minutes; a read slower than a second completes nothing now
    /// and lands in the cache for the next Tab. Never throws.
    /// </summary>
    internal sealed class DomainIdCompleter : IArgumentCompleter
    {
        private static readonly ConditionalWeakTable<RunCloudConnection, Dictionary<string, (DateTime Started, Task<List<(long Id, string Name)>> Read)>> s_cache =
            new ConditionalWeakTable<RunCloudConnection, Dictionary<string, (DateTime, Task<List<(long, string)>>)>>();

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            try
            {
                RunCloudConnection? connection = CompletionConnection.From(fakeBoundParameters);
                if (connection == null) return Enumerable.Empty<CompletionResult>();
                long? serverId = RunCloudIdCompleter.BoundLong(fakeBoundParameters, "ServerId") ?? connection.ServerId;
                long? webAppId = RunCloudIdCompleter.BoundLong(fakeBoundParameters, "WebAppId") ?? connection.WebAppId;
                if (!serverId.HasValue || !webAppId.HasValue) return Enumerable.Empty<CompletionResult>();

                string key = serverId.Value.ToString(CultureInfo.InvariantCulture) + "/" + webAppId.Value.ToString(CultureInfo.InvariantCulture);
                Dictionary<string, (DateTime Started, Task<List<(long Id, string Name)>> Read)> perConnection = s_cache.GetOrCreateValue(connection);
                Task<List<(long Id, string Name)>> read;
                lock (perConnection)
                {
                    if (!perConnection.TryGetValue(key, out var entry) || entry.Read.IsFaulted || entry.Read.IsCanceled || DateTime.UtcNow - entry.Started > TimeSpan.FromMinutes(5))
                    {
                        long s = serverId.Value, w = webAppId.Value;
                        entry = (DateTime.UtcNow, Task.Run(async () =>
                        {
                            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                            List<JObject> items = await connection.CreateService().DomainPages(s, w).ReadAllAsync(limit.Token).ConfigureAwait(false);
                            return items.Select(o => ((long?)o["id"] ?? 0, (string?)o["name"] ?? string.Empty)).Where(i => i.Item1 > 0).ToList();
                        }));
                        perConnection[key] = entry;
                    }

                    read = entry.Read;
                }

                if (!read.Wait(RunCloudNameCompleter.Wait) || read.Status != TaskStatus.RanToCompletion) return Enumerable.Empty<CompletionResult>();
                return RunCloudIdCompleter.Matching(read.Result, wordToComplete).ToList();
            }
            catch (Exception)
            {
                return Enumerable.Empty<CompletionResult>();
            }
        }
    }
}
