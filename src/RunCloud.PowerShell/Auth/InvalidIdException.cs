using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security;

namespace RunCloud.PowerShell.Auth
{
    /// <summary>A server or web app id (from the environment or a file) that is not a positive whole number.</summary>
    internal sealed class InvalidIdException : Exception
    {
        public InvalidIdException(string variable, string message) : base(message) => Variable = variable;

        public string Variable { get; }
    }
}
