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
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Commands.Completion
{
    /// <summary>
    /// Completes Set-RunCloudSsl -SslProtocol (names) and -SslProtocolId (ids, with the name as tooltip) with RunCloud's own
    /// list (GET static/ssl/protocols). Read once per connection and kept for the session (the list is RunCloud's, not the
    /// account's); a read slower than a second gives no completion now and lands in the cache for the next Tab.
    /// </summary>
    internal sealed class SslProtocolCompleter : IArgumentCompleter
    {
        private static readonly ConditionalWeakTable<RunCloudConnection, Task<List<(long Id, string Name)>>> s_cache =
            new ConditionalWeakTable<RunCloudConnection, Task<List<(long Id, string Name)>>>();

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            try
            {
                RunCloudConnection? connection = CompletionConnection.From(fakeBoundParameters);
                if (connection == null) return Enumerable.Empty<CompletionResult>();
                Task<List<(long Id, string Name)>> read = s_cache.GetValue(connection, c => Task.Run(async () =>
                {
                    using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                    return await c.CreateService().GetSslProtocolsAsync(limit.Token).ConfigureAwait(false);
                }));
                if (!read.Wait(RunCloudNameCompleter.Wait) || read.Status != TaskStatus.RanToCompletion)
                {
                    if (read.IsFaulted || read.IsCanceled) s_cache.Remove(connection); // the next Tab asks again
                    return Enumerable.Empty<CompletionResult>();
                }

                string prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
                bool ids = parameterName.EndsWith("Id", StringComparison.OrdinalIgnoreCase);
                return read.Result
                    .Where(p => !string.IsNullOrEmpty(p.Name))
                    .Select(p => (Text: ids ? p.Id.ToString(CultureInfo.InvariantCulture) : p.Name, p.Id, p.Name))
                    .Where(p => p.Text.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                    .Select(p => new CompletionResult(p.Text.IndexOf(' ') >= 0 ? "'" + p.Text + "'" : p.Text,
                        ids ? p.Id.ToString(CultureInfo.InvariantCulture) + " " + p.Name : p.Name, CompletionResultType.ParameterValue, p.Name))
                    .ToList();
            }
            catch (Exception)
            {
                return Enumerable.Empty<CompletionResult>();
            }
        }
    }
}
