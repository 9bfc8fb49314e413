using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Commands.Completion
{
    /// <summary>
    /// Completes -Connection (every cmdlet that talks to RunCloud) and Get-RunCloudConnection -Name with the names given to
    /// Connect-RunCloud -Name in this process. Reads only the in-memory registry: no request, never slow.
    /// </summary>
    internal sealed class ConnectionNameCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            string prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
            return ConnectionRegistry.All()
                .Where(c => c.Name != null && c.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                .OrderBy(c => c.Name, StringComparer.OrdinalIgnoreCase)
                .Select(c => new CompletionResult(c.Name!, c.Name!, CompletionResultType.ParameterValue, c.ToString()))
                .ToList();
        }
    }
}
