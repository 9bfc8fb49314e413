using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security;
using System.Security.Cryptography;
using System.Xml;

namespace RunCloud.PowerShell.Auth
{
    /// <summary>
    /// A credential kept in a file written by Export-Clixml: a PSCredential (user name = API key, password = API secret)
    /// or a SecureString (an API token). On Windows Export-Clixml protects the secret with DPAPI (only the same user on
    /// the same machine can read it back); elsewhere it does NOT encrypt it (the SecureString is written as hex of its
    /// characters), so the file is treated like an SSH private key: it is refused when its mode lets the group or others
    /// read or write it. Messages name the file and the connection, never the secret.
    /// </summary>
    internal static class CredentialFile
    {
        /// <summary>Group and other permission bits (0o077): any of them set and the file is not private.</summary>
        private const int GroupOrOther = 0x3F;

        public static ResolvedCredential Read(string path, string usedBy)
        {
            if (!File.Exists(path))
            {
                throw new CredentialNotFoundException(
                    $"{usedBy}: the credential file {path} does not exist. Write it as the account the task runs as, e.g. "
                    + "Get-Credential | Export-Clixml -Path <file> (user name = API key, password = API secret), or "
                    + "Read-Host -AsSecureString 'API token' | Export-Clixml -Path <file>; on Linux and macOS then chmod 600 <file>.");
            }

            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                int? mode = UnixMode(path);
                if (mode == null)
                {
                    throw new CredentialNotFoundException(
                        $"{usedBy}: cannot read the permissions of {path} on this PowerShell, so it cannot be checked to be private (Export-Clixml does not encrypt on "
                        + "this system). Use PowerShell 7.4 or later, or keep the token in an environment variable (tokenEnvironmentVariable) or a SecretManagement vault.");
                }

                if ((mode.Value & GroupOrOther) != 0)
                {
                    throw new CredentialNotFoundException(
                        $"{usedBy}: the credential file {path} has mode {Octal(mode.Value)}: its group or other users may read or change it. On this system Export-Clixml "
                        + $"does not encrypt the secret, so the file must be private, like an SSH key: chmod 600 '{path}' (owned by the account the task runs as).");
                }
            }

            object? value;
            try
            {
                value = PSSerializer.Deserialize(File.ReadAllText(path));
            }
            catch (Exception ex) when (ex is XmlException || ex is PSInvalidOperationException || ex is InvalidOperationException || ex is CryptographicException
                                       || ex is IOException || ex is UnauthorizedAccessException || ex is FormatException)
            {
                // The exception's text is not repeated: a deserialiser's message may quote the file's content.
                throw new CredentialNotFoundException(
                    $"{usedBy}: {path} cannot be read back as Export-Clixml output ({ex.GetType().Name}). On Windows such a file opens only for the user who wrote it, "
                    + "on the machine where it was written (DPAPI): write it again as the account the task runs as.");
            }

            string source = $"credential file {path}";
            // Without PowerShell's type table (no runspace) a PSCredential comes back as its deserialised property bag.
            if (value is PSObject bag && bag.TypeNames.Contains("Deserialized.System.Management.Automation.PSCredential")
                && bag.Properties["UserName"]?.Value is string user && bag.Properties["Password"]?.Value is SecureString password)
            {
                value = new PSCredential(user, password);
            }

            switch (value is PSObject pso ? pso.BaseObject : value)
            {
                case PSCredential credential:
                    CredentialResolver.ValidateApiKey(credential.UserName, $"the user name of the {source}");
                    if (credential.Password == null || credential.Password.Length == 0)
                    {
                        throw new CredentialNotFoundException($"{usedBy}: the {source} holds an empty password; it must be the API secret (user name = API key).");
                    }

                    return new ResolvedCredential(RunCloudCredential.ForApiKey(credential.UserName, credential.Password), source);
                case SecureString token:
                    if (token.Length == 0) throw new CredentialNotFoundException($"{usedBy}: the {source} holds an empty SecureString; it must be the API token.");
                    return new ResolvedCredential(RunCloudCredential.ForToken(token), source);
                default:
                    throw new CredentialNotFoundException(
                        $"{usedBy}: the {source} holds a {(value == null ? "nothing" : (value is PSObject p ? p.BaseObject : value).GetType().Name)}; it must hold a PSCredential "
                        + "(user name = API key, password = API secret) or a SecureString (the API token), as written by Export-Clixml.");
            }
        }

        /// <summary>
        /// The file's Unix permission bits: File.GetUnixFileMode on .NET 7 and later (PowerShell 7.4+), else PowerShell's own
        /// FileSystemProvider.UnixMode text (PowerShell 7.1+); null when neither is there.
        /// </summary>
        internal static int? UnixMode(string path)
        {
            MethodInfo? getMode = typeof(File).GetMethod("GetUnixFileMode", new[] { typeof(string) });
            if (getMode != null)
            {
                try
                {
                    return Convert.ToInt32(getMode.Invoke(null, new object[] { path }), System.Globalization.CultureInfo.InvariantCulture);
                }
                catch (TargetInvocationException ex) when (ex.InnerException is IOException || ex.InnerException is UnauthorizedAccessException)
                {
                    return null;
                }
            }

            MethodInfo? unixMode = typeof(PSObject).Assembly.GetType("Microsoft.PowerShell.Commands.FileSystemProvider")?.GetMethod("UnixMode", new[] { typeof(PSObject) });
            if (unixMode?.Invoke(null, new object[] { PSObject.AsPSObject(new FileInfo(path)) }) is string text && text.Length == 10)
            {
                int mode = 0;
                for (int i = 1; i < 10; i++)
                {
                    if (text[i] != '-' && text[i] != 'S' && text[i] != 'T') mode |= 1 << (9 - i);
                }

                return mode;
            }

            return null;
        }

        private static string Octal(int mode) => "0" + Convert.ToString(mode & 0x1FF, 8);
    }
}
