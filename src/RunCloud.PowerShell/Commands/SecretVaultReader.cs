using System;
using System.Management.Automation;
using RunCloud.PowerShell.Auth;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// Reads a credential from a SecretManagement vault through the Get-Secret command (SecretManagement's, or any command
    /// of that name, which is how tests stand in for a vault), for Connect-RunCloud -Vault and a manifest connection's
    /// "vault" + "secretName". Says plainly when Get-Secret is not there; never shows the secret.
    /// </summary>
    internal static class SecretVaultReader
    {
        public static ResolvedCredential Read(PSCmdlet cmdlet, string vault, string secretName)
        {
            CommandInfo? getSecret = cmdlet.InvokeCommand.GetCommand("Get-Secret", CommandTypes.Cmdlet | CommandTypes.Function | CommandTypes.Alias);
            if (getSecret == null)
            {
                throw new CredentialNotFoundException(
                    $"Reading the secret '{secretName}' of vault '{vault}' needs SecretManagement's Get-Secret, which is not available in this session. Install it with "
                    + "Install-Module Microsoft.PowerShell.SecretManagement (or Install-PSResource) and a vault such as Microsoft.PowerShell.SecretStore, register the vault with Register-SecretVault, "
                    + "and store the token with Set-Secret; or use another credential source.");
            }

            System.Collections.ObjectModel.Collection<PSObject> output;
            try
            {
                output = cmdlet.InvokeCommand.InvokeScript(false,
                    ScriptBlock.Create("param($c, $n, $v) & $c -Name $n -Vault $v -ErrorAction Stop"), null, getSecret, secretName, vault);
            }
            catch (Exception ex) when (ex is RuntimeException || ex is InvalidOperationException)
            {
                throw new CredentialNotFoundException($"Get-Secret could not read the secret '{secretName}' from vault '{vault}': {ex.Message} Check the names with Get-SecretInfo -Vault '{vault}'.");
            }

            if (output.Count > 1)
            {
                throw new CredentialNotFoundException($"Get-Secret returned {output.Count} values for the secret '{secretName}' in vault '{vault}'; expected one. Name a single secret.");
            }

            return VaultSecret.ToCredential(output.Count == 0 ? null : output[0], vault, secretName);
        }
    }
}
