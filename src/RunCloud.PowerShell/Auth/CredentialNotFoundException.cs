using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security;

namespace RunCloud.PowerShell.Auth
{
    internal sealed class CredentialNotFoundException : Exception
    {
        public CredentialNotFoundException(string message) : base(message) { }
    }
}
