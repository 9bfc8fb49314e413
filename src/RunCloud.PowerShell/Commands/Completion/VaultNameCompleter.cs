using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;

namespace RunCloud.PowerShell.Commands.Completion
{
    /// <summary>
    /// Completes Connect-RunCloud -Vault with the vaults SecretManagement has registered (Get-SecretVault), when that
    /// command is available; nothing otherwise. Never throws at the prompt.
    /// </summary>
    internal sealed class VaultNameCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            try
            {
                if (Runspace.DefaultRunspace == null) return Enumerable.Empty<CompletionResult>();
                using var ps = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace);
                ps.AddScript("if (Get-Command Get-SecretVault -ErrorAction Ignore) { Get-SecretVault -ErrorAction Ignore | ForEach-Object Name }");
                string prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
                return ps.Invoke()
                    .Select(o => o?.ToString())
                    .Where(n => !string.IsNullOrEmpty(n) && n!.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                    .Distinct(StringComparer.OrdinalIgnoreCase)
                    .Select(n => new CompletionResult(Quote(n!), n!, CompletionResultType.ParameterValue, n!))
                    .ToList();
            }
            catch (Exception)
            {
                return Enumerable.Empty<CompletionResult>();
            }
        }

        private static string Quote(string name) => name.IndexOfAny(new[] { ' ', '\'', '"', '$', '`', ';', ',', '&', '|', '(', ')', '{', '}' }) >= 0
            ? "'" + name.Replace("'", "''") + "'"
            : name;
    }
}
